-- 0004_directory_name_list: the name search reads the list of the
-- directory's folded last names instead of probing a table of their
-- blocking keys.
--
-- directory_name_key held about ten keys per distinct folded name (6.3
-- million rows and 540 MB with its index on the full-size extract): a
-- check's thousands of random probes read pages that no cache kept, and
-- were a third of its database time. The list of names is 6 MB; a check
-- reads it once and tests each name's keys against its own (see
-- store.Directory.ByNameKeys). A load writes the list of its extract,
-- in the transaction that swaps the lines in.

CREATE TABLE directory_name_list (
    extract_id bigint PRIMARY KEY REFERENCES extract (id) ON DELETE CASCADE,
    -- the distinct folded last names (matcher.Fold) of the extract's
    -- lines, sorted, each followed by a newline (Fold never gives one)
    names      bytea  NOT NULL
);

-- Read whole, once per check: neither compressed nor decompressed.
ALTER TABLE directory_name_list ALTER COLUMN names SET STORAGE EXTERNAL;

INSERT INTO directory_name_list (extract_id, names)
SELECT e.id, coalesce((SELECT convert_to(string_agg(f || E'\n', '' ORDER BY f), 'UTF8')
                       FROM (SELECT DISTINCT last_name_folded AS f FROM directory_line) d), ''::bytea)
FROM (SELECT id FROM extract WHERE kind = 'activities' ORDER BY id DESC LIMIT 1) e;

DROP TABLE directory_name_key;
DROP TABLE directory_name;
