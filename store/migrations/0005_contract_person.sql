-- A contract's person (queue.PersonKey: name and birth date, whatever RPPS
-- the row gave) and the contract that replaced it, so that a corrected file
-- (new dates, another structure, the RPPS now given) supersedes the earlier
-- contract of the same person instead of leaving its items pending
-- (queue.Supersedes). person is NULL for contracts imported before this
-- migration and once purged.
ALTER TABLE contract ADD COLUMN person text COLLATE "C";
ALTER TABLE contract ADD COLUMN superseded_by bigint REFERENCES contract (id);
ALTER TABLE contract ADD COLUMN superseded_at timestamptz;

CREATE INDEX contract_person_idx ON contract (agency, person) WHERE person IS NOT NULL AND superseded_by IS NULL;
CREATE INDEX contract_worker_idx ON contract (agency, worker) WHERE superseded_by IS NULL;
