package store

// SetAfterKeys makes ByNameKeys of d call f between its first query and
// its second, in its transaction.
func (d *Directory) SetAfterKeys(f func()) { d.afterKeys = f }
