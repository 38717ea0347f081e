-- 0001_directory: the national directory (Annuaire Santé) in the database.
--
-- extract records every extract loaded; the current one of a kind is the one
-- with the highest id. directory_line and directory_card are replaced by each
-- load (see package doc): their indexes are built by the loader after COPY,
-- so they are declared in Go (activitiesSpec in store/directory.go,
-- cardsSpec in store/cards.go), not here.

CREATE TABLE extract (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text        NOT NULL CHECK (kind IN ('activities', 'cards')),
    name         text        NOT NULL,
    extract_date date        NOT NULL,
    lines        bigint      NOT NULL, -- lines loaded into the table
    skipped      bigint      NOT NULL, -- lines left out (not an RPPS line)
    people       bigint      NOT NULL, -- distinct RPPS in the loaded lines
    forced       boolean     NOT NULL DEFAULT false,
    loaded_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX extract_kind_id_idx ON extract (kind, id DESC);

-- One line per professional (RPPS) x practice situation, type-8 lines only.
-- Absent values are empty strings. last_name_folded is matcher.Fold(last_name).
CREATE TABLE directory_line (
    rpps             text COLLATE "C"   NOT NULL,
    line_no          bigint             NOT NULL, -- position in the extract
    national_id      text               NOT NULL,
    civility         text               NOT NULL,
    last_name        text               NOT NULL,
    first_name       text               NOT NULL,
    profession_code  text               NOT NULL,
    profession_label text               NOT NULL,
    category_code    text               NOT NULL,
    mode_code        text               NOT NULL,
    siret_site       text               NOT NULL,
    finess_site      text COLLATE "C"   NOT NULL,
    finess_juridique text               NOT NULL,
    structure_id     text               NOT NULL,
    site_name        text               NOT NULL,
    commune_code     text               NOT NULL,
    role_code        text               NOT NULL,
    last_name_folded text COLLATE "C"   NOT NULL
);

-- The blocking keys of every folded last name of directory_line:
-- one row per (matcher.NameKeys(folded), folded). Keyed by distinct name
-- rather than by line, it stays small however many keys NameKeys returns;
-- candidates are found through key -> folded -> directory_line. Replaced
-- together with directory_line.
CREATE TABLE directory_name_key (
    key    text COLLATE "C" NOT NULL,
    folded text COLLATE "C" NOT NULL
);

-- What changed between an extract and the one before it, per structure.
-- kind person_added / person_removed: the RPPS appeared in / left the
-- directory; one row per FINESS site of its lines ('' for lines without one).
-- kind activity_added / activity_ended: the pair RPPS x FINESS site appeared /
-- disappeared (lines without a FINESS site are not activities of a structure).
CREATE TABLE directory_change (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    extract_id bigint NOT NULL REFERENCES extract (id) ON DELETE CASCADE,
    kind       text   NOT NULL CHECK (kind IN ('person_added', 'person_removed', 'activity_added', 'activity_ended')),
    finess     text COLLATE "C" NOT NULL,
    rpps       text COLLATE "C" NOT NULL
);

CREATE INDEX directory_change_extract_finess_idx ON directory_change (extract_id, finess);
CREATE INDEX directory_change_finess_rpps_idx ON directory_change (finess, rpps);

-- One line of Porteurs_CPS_CPF: a CPS or CPF card. Absent dates are NULL.
CREATE TABLE directory_card (
    rpps        text COLLATE "C" NOT NULL,
    line_no     bigint           NOT NULL,
    number      text             NOT NULL,
    card_type   text             NOT NULL,
    valid_from  date,
    valid_to    date,
    opposed_at  date,
    updated_at  date,
    profession  text             NOT NULL
);
