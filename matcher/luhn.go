package matcher

// Luhn reports whether s passes the Luhn check (RPPS, FINESS, SIRET, ADELI
// keys); false when s is empty or holds anything but ASCII digits. It takes
// bytes as well as strings so that readers of large files check a field
// without allocating.
func Luhn[T ~string | ~[]byte](s T) bool {
	if len(s) == 0 {
		return false
	}
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// LuhnKey returns the check digit that makes body followed by it pass the
// Luhn check. body must be digits only.
func LuhnKey(body string) byte {
	sum, double := 0, true // the key will be the rightmost digit
	for i := len(body) - 1; i >= 0; i-- {
		c := body[i]
		if c < '0' || c > '9' {
			panic("matcher: LuhnKey of a body that is not all digits: " + body)
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}
