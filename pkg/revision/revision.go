package revision

// ShortLen is how many characters of a revision Short keeps: git's own abbreviation grows past
// 7 in large repositories, and 12 stays unambiguous far beyond any repository of cluster specs.
const ShortLen = 12

// Short is rev abbreviated to ShortLen characters, or "(none)" when there is no revision.
func Short(rev string) string {
	if rev == "" {
		return "(none)"
	}
	return rev[:min(len(rev), ShortLen)]
}
