-- 0003_directory_name: the blocking keys of directory names are kept across
-- loads instead of being rebuilt with every extract.
--
-- A folded name's keys never change, and from one night to the next the
-- extract brings a few hundred new names among hundreds of thousands:
-- rebuilding millions of key rows and their index each night was a third
-- of the load. directory_name lists the names whose keys are in
-- directory_name_key; a load adds the keys of the names it does not list.
-- Names are never removed: a name whose people have all left finds nobody
-- in directory_line.
CREATE TABLE directory_name (
    folded text COLLATE "C" PRIMARY KEY
);

INSERT INTO directory_name SELECT DISTINCT folded FROM directory_name_key;

-- Loads used to build the key index on each new table; it now lives with
-- the table (a hash of the key: an int8 indexes several times faster than
-- text; lookups compare the keys too).
DROP INDEX IF EXISTS directory_name_key_key_idx;
CREATE INDEX IF NOT EXISTS directory_name_key_key_hash_idx ON directory_name_key (hashtextextended(key, 0));
