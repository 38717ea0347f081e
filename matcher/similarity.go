package matcher

import edlib "github.com/hbollon/go-edlib"

// shortName is the longest name (in runes) whose similarities are
// computed on the stack; longer ones go to go-edlib, which allocates.
const shortName = 64

// jaroWinkler is go-edlib's JaroWinklerSimilarity(a, b), computed with the
// same float32 operations in the same order (so it gives the same bits),
// without allocating for names of up to shortName runes: a check computes
// it hundreds of thousands of times on the names its rows meet.
func jaroWinkler(a, b string) float32 {
	var ab, bb [shortName]rune
	ra, ok1 := runesInto(ab[:0], a)
	rb, ok2 := runesInto(bb[:0], b)
	if !ok1 || !ok2 {
		return edlib.JaroWinklerSimilarity(a, b)
	}
	j := jaroRunes(ra, rb)
	if j == 0 || j == 1 {
		return j
	}
	prefix := 0
	for i := 0; i < min(len(ra), len(rb)); i++ {
		if ra[i] != rb[i] {
			break
		}
		prefix++
	}
	prefix = min(prefix, 4)
	return j + 0.1*float32(prefix)*(1-j)
}

// jaroRunes is go-edlib's JaroSimilarity on two rune slices.
func jaroRunes(a, b []rune) float32 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if equalSeq(a, b) {
		return 1
	}
	var ta, tb [shortName]bool
	match := 0
	maxDist := max(la, lb)/2 - 1
	for i := 0; i < la; i++ {
		for j := max(0, i-maxDist); j < min(lb, i+maxDist+1); j++ {
			if a[i] == b[j] && !tb[j] {
				ta[i], tb[j] = true, true
				match++
				break
			}
		}
	}
	if match == 0 {
		return 0
	}
	var t float32
	p := 0
	for i := 0; i < la; i++ {
		if ta[i] {
			for !tb[p] {
				p++
			}
			if a[i] != b[p] {
				t++
			}
			p++
		}
	}
	t /= 2
	return (float32(match)/float32(la) +
		float32(match)/float32(lb) +
		(float32(match)-t)/float32(match)) / 3.0
}

// osaDistance is go-edlib's OSADamerauLevenshteinDistance(a, b) (an
// optimal string alignment distance, on runes), without allocating for
// names of up to shortName runes.
func osaDistance(a, b string) int {
	var ab, bb [shortName]rune
	ra, ok1 := runesInto(ab[:0], a)
	rb, ok2 := runesInto(bb[:0], b)
	if !ok1 || !ok2 {
		return edlib.OSADamerauLevenshteinDistance(a, b)
	}
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	n1, n2 := len(ra), len(rb)
	switch {
	case n2 == 0:
		return n1
	case equalSeq(ra, rb):
		return 0
	}
	var m [3][shortName + 1]int
	for i := range 3 {
		m[i][0] = i
	}
	for j := 0; j <= n2; j++ {
		m[0][j] = j
	}
	for i := 1; i <= n1; i++ {
		cur, prev := &m[i%3], &m[(i-1)%3]
		cur[0] = i
		for j := 1; j <= n2; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, m[(i-2)%3][j-2]+1)
			}
			cur[j] = v
		}
	}
	return m[n1%3][n2]
}

// runesInto appends the runes of s to dst, a slice of capacity shortName,
// and reports whether they fit.
func runesInto(dst []rune, s string) ([]rune, bool) {
	for _, r := range s {
		if len(dst) == cap(dst) {
			return nil, false
		}
		dst = append(dst, r)
	}
	return dst, true
}
