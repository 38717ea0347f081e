package store

import "context"

// SetAfterKeys makes ByNameKeys of d call f once the names under the keys
// are known, before its query of their first names, in its transaction.
func (d *Directory) SetAfterKeys(f func()) { d.afterKeys = f }

// SetAfterStaging makes the loads of db call f once their staging table is
// committed, before their indexes are built.
func (db *DB) SetAfterStaging(f func()) { db.afterStaging = f }

// MigrateUpTo applies the migrations up to version last only.
func (db *DB) MigrateUpTo(ctx context.Context, last int) ([]string, error) {
	return db.migrateUpTo(ctx, last)
}
