-- Issue 12 §1: queue items that mean what they say.
-- person: the worker's name as the agency file gives it (queue.Person),
-- erased by Purge with the contract's data. periods: the contract periods
-- an item covers (an order_mie serves every contract of one person at one
-- structure that the same cards fail to cover). declared: on
-- validate_activity, the activities the directory showed at the FINESS when
-- the item was made, so that a reload closes it only on a real change.
-- close_activity: the structure removes, once the mission is over, the
-- Portail RPPS+ activity it declared.
ALTER TABLE item ADD COLUMN person jsonb;
ALTER TABLE item ADD COLUMN periods jsonb NOT NULL DEFAULT '[]';
ALTER TABLE item ADD COLUMN declared jsonb NOT NULL DEFAULT '[]';
ALTER TABLE item DROP CONSTRAINT item_kind_check;
ALTER TABLE item ADD CONSTRAINT item_kind_check CHECK (kind IN ('validate_activity', 'register_rpps_plus',
    'follow_up_ordre', 'follow_up_ars', 'order_mie', 'activate_ecps', 'fix_data', 'confirm_candidate',
    'close_activity'));
-- The done RPPS+ activities whose contract ended, read by Reconcile to ask
-- for their close_activity item.
CREATE INDEX item_done_activity_idx ON item (end_date)
    WHERE state = 'done' AND channel = 'rpps_plus' AND kind IN ('validate_activity', 'register_rpps_plus');
