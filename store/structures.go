package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/structures"
)

// ErrStructuresNotLoaded is returned by StructureConfig when no
// configuration of structures was ever loaded (rppsync structures load).
var ErrStructuresNotLoaded = rppsync.NewError("structures_not_loaded", "no structures configuration loaded")

// lockStructures is the advisory lock class of LoadStructures: two loads
// at once run one after the other, each reporting against what the other
// committed.
const lockStructures int32 = 50

// ConfigDiff says what a load changed in one list of the configuration:
// the keys (FINESS, agency names) added, changed and removed, sorted and
// never nil, and how many entries were loaded unchanged.
type ConfigDiff struct {
	Added     []string `json:"added"`
	Changed   []string `json:"changed"`
	Removed   []string `json:"removed"`
	Unchanged int      `json:"unchanged"`
}

// StructuresReport is what LoadStructures changed.
type StructuresReport struct {
	Structures ConfigDiff `json:"structures"`
	Agencies   ConfigDiff `json:"agencies"`
}

// StoredStructure is a configured structure and when its current version
// was loaded.
type StoredStructure struct {
	structures.Structure
	LoadedAt time.Time `json:"loaded_at"`
}

// StoredAgency is a configured agency and when its current version was
// loaded.
type StoredAgency struct {
	structures.Agency
	LoadedAt time.Time `json:"loaded_at"`
}

// FINESSCount is a FINESS that contracts or work items name but no
// configured structure has: its rows are kept (and its items stay in the
// queue), and this says how many there are.
type FINESSCount struct {
	// FINESS is the value as the contracts and items hold it.
	FINESS string `json:"finess"`
	// Contracts, Rows: the contracts at this FINESS (superseded and purged
	// ones included) and the imported rows that named them.
	Contracts int `json:"contracts"`
	Rows      int `json:"rows"`
	// Items, Pending: the work items at this FINESS, and those pending.
	Items   int `json:"items"`
	Pending int `json:"pending"`
	// Agencies are the agencies whose files named it, sorted.
	Agencies []string `json:"agencies"`
	// LastSeen is when a file last named it (the contracts' latest
	// update); zero when only items name it.
	LastSeen time.Time `json:"last_seen"`
}

// LoadStructures replaces the whole configuration of structures and
// agencies by f's, in one transaction, and reports what changed; entries
// equal to the stored ones keep their loaded_at. f is validated and
// normalised again (structures.New) before it is stored: an invalid or
// empty configuration returns the *structures.ConfigError and changes
// nothing. Contracts and items are
// never touched: those of a structure removed from the configuration stay
// and are listed by UnconfiguredFINESS.
func (db *DB) LoadStructures(ctx context.Context, f *structures.File, now time.Time) (*StructuresReport, error) {
	if f == nil {
		return nil, errors.New("load structures: nil configuration")
	}
	// Validate and normalise copies (the caller's File keeps its
	// indexes), and store those: a File built by hand is stored as Parse
	// would have given it.
	f, err := structures.New(slices.Clone(f.Structures), slices.Clone(f.Agencies))
	if err != nil {
		return nil, err
	}
	var rep StructuresReport
	err = db.op(ctx, "structures", db.cfg.Timeout, func(ctx context.Context) error {
		rep = StructuresReport{}
		return db.lockedTx(ctx, lockStructures, func(tx pgx.Tx) error {
			if err := loadStructureRows(ctx, tx, f.Structures, now, &rep.Structures); err != nil {
				return fmt.Errorf("load structures: %w", err)
			}
			if err := loadAgencyRows(ctx, tx, f.Agencies, now, &rep.Agencies); err != nil {
				return fmt.Errorf("load agencies: %w", err)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	db.log.Info().Int("structures", len(f.Structures)).Int("structures_added", len(rep.Structures.Added)).
		Int("structures_changed", len(rep.Structures.Changed)).Int("structures_removed", len(rep.Structures.Removed)).
		Int("agencies", len(f.Agencies)).Int("agencies_added", len(rep.Agencies.Added)).
		Int("agencies_changed", len(rep.Agencies.Changed)).Int("agencies_removed", len(rep.Agencies.Removed)).
		Msg("structures configuration loaded")
	return &rep, nil
}

// configRows holds a list of entries as the load's statements take them:
// keys, names and JSON configurations side by side, and the folded aliases
// with the key each belongs to.
type configRows struct {
	keys, names, configs []string
	aliases, owners      []string
}

// add appends one entry and its folded names.
func (c *configRows) add(key, name string, config any, folded []string) error {
	b, err := json.Marshal(config)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	c.keys, c.names, c.configs = append(c.keys, key), append(c.names, name), append(c.configs, string(b))
	for _, a := range folded {
		c.aliases, c.owners = append(c.aliases, a), append(c.owners, key)
	}
	return nil
}

// loadStructureRows replaces the structure and structure_alias rows.
func loadStructureRows(ctx context.Context, tx pgx.Tx, list []structures.Structure, now time.Time, d *ConfigDiff) error {
	var rows configRows
	for i := range list {
		s := &list[i]
		if err := rows.add(s.FINESS, s.Name, s, s.Names()); err != nil {
			return err
		}
	}
	return replaceConfig(ctx, tx, configTables{
		table: "structure", key: "finess", aliasTable: "structure_alias", aliasOwner: "finess", hasName: true,
	}, rows, now, d)
}

// loadAgencyRows replaces the agency and agency_alias rows.
func loadAgencyRows(ctx context.Context, tx pgx.Tx, list []structures.Agency, now time.Time, d *ConfigDiff) error {
	var rows configRows
	for i := range list {
		a := &list[i]
		if err := rows.add(a.Name, a.Name, a, a.Names()); err != nil {
			return err
		}
	}
	return replaceConfig(ctx, tx, configTables{
		table: "agency", key: "name", aliasTable: "agency_alias", aliasOwner: "agency",
	}, rows, now, d)
}

// configTables names the tables and columns of one list of the
// configuration (constants of this file, never input).
type configTables struct {
	table, key, aliasTable, aliasOwner string
	hasName                            bool // the table has a name column besides its key
}

// replaceConfig makes the rows of t exactly rows, in four statements
// whatever their number, and fills d.
func replaceConfig(ctx context.Context, tx pgx.Tx, t configTables, rows configRows, now time.Time, d *ConfigDiff) error {
	var existing []string
	err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(`+t.key+`), '{}') FROM `+t.table).Scan(&existing)
	if err != nil {
		return fmt.Errorf("read %s: %w", t.table, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM `+t.aliasTable); err != nil {
		return fmt.Errorf("clear %s: %w", t.aliasTable, err)
	}
	removed, err := pgx.CollectRows(mustQuery(ctx, tx,
		`DELETE FROM `+t.table+` WHERE `+t.key+` <> ALL($1::text[]) RETURNING `+t.key, rows.keys), pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("remove from %s: %w", t.table, err)
	}
	cols, vals, set, differs := t.key+", config, loaded_at", "k, c::jsonb, $4", "config = EXCLUDED.config, loaded_at = EXCLUDED.loaded_at",
		t.table+".config IS DISTINCT FROM EXCLUDED.config"
	if t.hasName {
		cols, vals = t.key+", name, config, loaded_at", "k, n, c::jsonb, $4"
		set = "name = EXCLUDED.name, " + set
		differs = t.table + ".name IS DISTINCT FROM EXCLUDED.name OR " + differs
	}
	written, err := pgx.CollectRows(mustQuery(ctx, tx, `INSERT INTO `+t.table+` (`+cols+`)
		SELECT `+vals+` FROM unnest($1::text[], $2::text[], $3::text[]) AS x(k, n, c)
		ON CONFLICT (`+t.key+`) DO UPDATE SET `+set+` WHERE `+differs+`
		RETURNING `+t.key, rows.keys, rows.names, rows.configs, now), pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("write %s: %w", t.table, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+t.aliasTable+` (alias, `+t.aliasOwner+`)
		SELECT a, o FROM unnest($1::text[], $2::text[]) AS x(a, o)`, rows.aliases, rows.owners); err != nil {
		return fmt.Errorf("write %s: %w", t.aliasTable, err)
	}
	had := make(map[string]bool, len(existing))
	for _, k := range existing {
		had[k] = true
	}
	for _, k := range written {
		if had[k] {
			d.Changed = append(d.Changed, k)
		} else {
			d.Added = append(d.Added, k)
		}
	}
	d.Removed = removed
	d.Unchanged = len(rows.keys) - len(written)
	for _, l := range []*[]string{&d.Added, &d.Changed, &d.Removed} {
		if *l == nil {
			*l = []string{}
		}
		slices.Sort(*l)
	}
	return nil
}

// mustQuery runs a query for pgx.CollectRows: pgx returns rows in an
// error state when the query cannot start, and CollectRows returns that
// error.
func mustQuery(ctx context.Context, tx pgx.Tx, sql string, args ...any) pgx.Rows {
	rows, _ := tx.Query(ctx, sql, args...)
	return rows
}

// Structures returns the configured structures, by FINESS.
func (db *DB) Structures(ctx context.Context) (out []StoredStructure, err error) {
	err = db.op(ctx, "structures", db.cfg.Timeout, func(ctx context.Context) error {
		out, err = readConfig[StoredStructure](ctx, db, `SELECT config, loaded_at FROM structure ORDER BY finess`,
			func(s *StoredStructure) any { return &s.Structure }, func(s *StoredStructure) *time.Time { return &s.LoadedAt })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("structures: %w", err)
	}
	return out, nil
}

// Agencies returns the configured agencies, by name.
func (db *DB) Agencies(ctx context.Context) (out []StoredAgency, err error) {
	err = db.op(ctx, "agencies", db.cfg.Timeout, func(ctx context.Context) error {
		out, err = readConfig[StoredAgency](ctx, db, `SELECT config, loaded_at FROM agency ORDER BY name`,
			func(a *StoredAgency) any { return &a.Agency }, func(a *StoredAgency) *time.Time { return &a.LoadedAt })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("agencies: %w", err)
	}
	return out, nil
}

// readConfig reads rows of (config, loaded_at) into T, decoding config
// into what entry returns.
func readConfig[T any](ctx context.Context, db *DB, sql string, entry func(*T) any, at func(*T) *time.Time) ([]T, error) {
	rows, err := db.pool.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var (
			v   T
			raw []byte
		)
		if err := rows.Scan(&raw, at(&v)); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, entry(&v)); err != nil {
			return nil, fmt.Errorf("decode config: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// StructureConfig returns the configuration loaded, as a structures.File
// that resolves names (Resolve, Lookup, ResolveAgency). It fails with
// ErrStructuresNotLoaded when none was ever loaded.
func (db *DB) StructureConfig(ctx context.Context) (*structures.File, error) {
	ss, err := db.Structures(ctx)
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, ErrStructuresNotLoaded
	}
	as, err := db.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	list := make([]structures.Structure, len(ss))
	for i, s := range ss {
		list[i] = s.Structure
	}
	agencies := make([]structures.Agency, len(as))
	for i, a := range as {
		agencies[i] = a.Agency
	}
	f, err := structures.New(list, agencies)
	if err != nil {
		return nil, fmt.Errorf("structures configuration: %w", err)
	}
	return f, nil
}

// UnconfiguredFINESS lists the FINESS values that contracts or work items
// name and no configured structure has (compared upper-cased), most
// pending items first, then by FINESS. Their rows and items are kept: this
// is how they are reported. Contracts and items with no FINESS at all are
// not listed: they are addressed to their agency. With no configuration
// loaded, every FINESS is listed.
func (db *DB) UnconfiguredFINESS(ctx context.Context) (out []FINESSCount, err error) {
	err = db.op(ctx, "unconfigured FINESS", db.cfg.Timeout, func(ctx context.Context) error {
		rows, err := db.pool.Query(ctx, `
			WITH r AS (SELECT contract_id, count(*) AS n FROM import_row GROUP BY contract_id),
			c AS (SELECT c.finess, count(*) AS contracts, coalesce(sum(r.n), 0) AS rows, max(c.updated_at) AS last_seen,
					array_agg(DISTINCT c.agency ORDER BY c.agency) AS agencies
				FROM contract c LEFT JOIN r ON r.contract_id = c.id
				WHERE c.finess <> '' GROUP BY c.finess),
			i AS (SELECT finess, count(*) AS items, count(*) FILTER (WHERE state = 'pending') AS pending
				FROM item WHERE finess <> '' GROUP BY finess)
			SELECT coalesce(c.finess, i.finess) AS f, coalesce(c.contracts, 0), coalesce(c.rows, 0),
				coalesce(i.items, 0), coalesce(i.pending, 0), coalesce(c.agencies, '{}'), c.last_seen
			FROM c FULL JOIN i ON i.finess = c.finess
			WHERE NOT EXISTS (SELECT 1 FROM structure s WHERE s.finess = upper(coalesce(c.finess, i.finess)))
			ORDER BY 5 DESC, 1`)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = nil
		for rows.Next() {
			var (
				fc   FINESSCount
				seen *time.Time
			)
			if err := rows.Scan(&fc.FINESS, &fc.Contracts, &fc.Rows, &fc.Items, &fc.Pending, &fc.Agencies, &seen); err != nil {
				return err
			}
			if seen != nil {
				fc.LastSeen = *seen
			}
			out = append(out, fc)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("unconfigured FINESS: %w", err)
	}
	return out, nil
}
