// Package dirtest holds the reference answers the tests' directories give:
// written plainly over a map of professionals, so that the real directories
// (in memory, in the database) are checked against one oracle. It must
// only be imported from tests.
package dirtest

import (
	"slices"
	"strings"

	"github.com/rppsync/rppsync"
)

// JuridiqueSites is the reference answer of matcher.Directory's
// JuridiqueSites over pros: for each FINESS of finess that is no site's
// but a legal entity's, its sites (by FINESS, each under the least site
// name its activities give).
func JuridiqueSites(pros map[string]rppsync.Professional, finess []string) map[string][]rppsync.Site {
	isSite := map[string]bool{}
	names := map[string]map[string]string{} // juridique → site → least name
	for _, p := range pros {
		for _, a := range p.Activities {
			isSite[a.FinessSite] = true
			if a.FinessSite == "" || a.FinessJuridique == "" {
				continue
			}
			if names[a.FinessJuridique] == nil {
				names[a.FinessJuridique] = map[string]string{}
			}
			if n, ok := names[a.FinessJuridique][a.FinessSite]; !ok || a.SiteName < n {
				names[a.FinessJuridique][a.FinessSite] = a.SiteName
			}
		}
	}
	out := map[string][]rppsync.Site{}
	for _, f := range finess {
		if isSite[f] || len(names[f]) == 0 {
			continue
		}
		for site, name := range names[f] {
			out[f] = append(out[f], rppsync.Site{FINESS: site, Name: name})
		}
		slices.SortFunc(out[f], func(a, b rppsync.Site) int { return strings.Compare(a.FINESS, b.FINESS) })
	}
	return out
}
