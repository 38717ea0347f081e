-- 0006_structures: the structures and agencies rppsync knows, as the
-- configuration file describes them (package structures), and the names
-- agencies write for them. (*DB).LoadStructures replaces the whole
-- configuration in one transaction.
--
-- config holds the entry in the file's own format with every default
-- written out (structures.Structure / structures.Agency as JSON), so a
-- later version reads a new field without a migration per field, and a
-- configuration reads back exactly as it was loaded. A webhook secret
-- given by secret_env is stored as the variable's name only; an inline
-- secret is stored as written. Contacts are the structures' and agencies'
-- own mailboxes, not workers': Purge does not touch these tables.
--
-- Nothing refers to these tables with a foreign key: contracts and items
-- name their structure by FINESS and files their agency by text, so a
-- structure removed from the configuration (or never configured) loses no
-- row; (*DB).UnconfiguredFINESS lists the FINESS values in that case.

-- One structure (FINESS géographique). loaded_at is when this version of
-- the entry was loaded: a reload that leaves it unchanged keeps it.
CREATE TABLE structure (
    finess    text COLLATE "C" PRIMARY KEY CHECK (finess ~ '^([0-9]{2}|2A|2B)[0-9]{7}$'),
    name      text        NOT NULL,
    config    jsonb       NOT NULL,
    loaded_at timestamptz NOT NULL
);

-- The folded form (matcher.Fold) of each structure's name and aliases: a
-- name as an agency writes it resolves to at most one structure.
CREATE TABLE structure_alias (
    alias  text COLLATE "C" PRIMARY KEY CHECK (alias <> ''),
    finess text COLLATE "C" NOT NULL REFERENCES structure (finess) ON DELETE CASCADE
);

CREATE INDEX structure_alias_finess_idx ON structure_alias (finess);

-- One temp agency, by its name as configured (the name its files are
-- imported under).
CREATE TABLE agency (
    name      text PRIMARY KEY,
    config    jsonb       NOT NULL,
    loaded_at timestamptz NOT NULL
);

-- The folded form of each agency's name and aliases.
CREATE TABLE agency_alias (
    alias  text COLLATE "C" PRIMARY KEY CHECK (alias <> ''),
    agency text NOT NULL REFERENCES agency (name) ON DELETE CASCADE
);

CREATE INDEX agency_alias_agency_idx ON agency_alias (agency);
