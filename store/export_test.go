package store

// SetAfterKeys makes ByNameKeys of d call f between its first query and
// its second, in its transaction.
func (d *Directory) SetAfterKeys(f func()) { d.afterKeys = f }

// SetNameKeyThresholds sets bulkNames and analyzeNames, and returns a
// function that restores them.
func SetNameKeyThresholds(bulk, analyze int) (restore func()) {
	b, a := bulkNames, analyzeNames
	bulkNames, analyzeNames = bulk, analyze
	return func() { bulkNames, analyzeNames = b, a }
}

// SetAfterStaging makes the loads of db call f once their staging table is
// committed, before their indexes are built.
func (db *DB) SetAfterStaging(f func()) { db.afterStaging = f }
