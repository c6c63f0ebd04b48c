package emulator

import "strconv"

const maxPageSize = 100

type pageRange struct{ lo, hi int }

// paginate resolves page (1-based) and page_size against n items. Out-of-range pages are empty.
func paginate(r *request, n, defaultSize int) (pageRange, *apiError) {
	page, size := 1, defaultSize
	if v := r.query.Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 {
			return pageRange{}, errInvalid("page", "constraint", "page must be a positive integer")
		}
		page = p
	}
	if v := r.query.Get("page_size"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > maxPageSize {
			return pageRange{}, errInvalid("page_size", "constraint", "page_size must be between 1 and 100")
		}
		size = p
	}
	lo := (page - 1) * size
	if lo > n {
		lo = n
	}
	hi := lo + size
	if hi > n {
		hi = n
	}
	return pageRange{lo, hi}, nil
}
