-- 0005_directory_name_first: the distinct first names of each folded last
-- name of the directory, for the name search.
--
-- The search read, for the few thousand names it keeps, the distinct
-- first names of every line bearing them: on the full-size extract 287k
-- index entries (the lines of the common surnames) for 84k pairs, 50 to
-- 100 ms per batch of rows. This table has one row per folded name (350k
-- rows); each load builds it once its lines are live and vacuumed, from
-- their (last_name_folded, first_name, rpps) index, and swaps it in;
-- directory_name_list.firsts says whether it is the current extract's
-- (until it is, the search reads the lines as before).

CREATE TABLE directory_name_first (
    folded text COLLATE "C" NOT NULL,
    firsts text[]           NOT NULL -- distinct, in no particular order
);

INSERT INTO directory_name_first (folded, firsts)
SELECT last_name_folded, array_agg(first_name)
FROM (SELECT DISTINCT last_name_folded, first_name FROM directory_line) d
GROUP BY last_name_folded;

CREATE INDEX directory_name_first_folded_idx ON directory_name_first (folded);

ANALYZE directory_name_first;

ALTER TABLE directory_name_list ADD COLUMN firsts boolean NOT NULL DEFAULT false;

UPDATE directory_name_list SET firsts = true
WHERE extract_id = (SELECT id FROM extract WHERE kind = 'activities' ORDER BY id DESC LIMIT 1);
