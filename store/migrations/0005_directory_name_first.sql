-- 0005_directory_name_first: the distinct first names of each folded last
-- name of the directory, for the name search.
--
-- The search read, for the few thousand names it keeps, the distinct
-- first names of every line bearing them: on the full-size extract 287k
-- index entries (the lines of the common surnames) for 84k pairs, 50 to
-- 100 ms per batch of rows. This table has one row per folded name (350k
-- rows); each load builds it from its lines beside their indexes and swaps
-- it in with them (store.activitiesSpec).

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
