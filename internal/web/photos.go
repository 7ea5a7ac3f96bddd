package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Photo is a photo a manager attached to an asset report in chat.
type Photo struct {
	ID   int64
	MIME string
	Size int64
	At   time.Time
}

// Photos are the photos of asset reports.
type Photos interface {
	// ReportPhotos lists a report's photos, oldest first, without bytes.
	ReportPhotos(ctx context.Context, reportID int64) ([]Photo, error)
	// PhotoData returns one photo's bytes.
	PhotoData(ctx context.Context, id int64) ([]byte, error)
}

// photoNumbers gives each report with photos their numbers (1, 2 …), for
// the links of the report list; nil when no photo store is configured.
func (c *Console) photoNumbers(ctx context.Context, ids []int64) (map[int64][]int, error) {
	if c.Photos == nil {
		return nil, nil
	}
	out := map[int64][]int{}
	for _, id := range ids {
		ps, err := c.Photos.ReportPhotos(ctx, id)
		if err != nil {
			return nil, err
		}
		for i := range ps {
			out[id] = append(out[id], i+1)
		}
	}
	return out, nil
}

// imageTypes are the types a photo is served as; anything else is sent as
// a download, never rendered.
var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// photo serves the n-th photo of a report, to officers and to the manager
// of the report's incubator.
func (c *Console) photo(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	n, err := strconv.Atoi(r.PathValue("n"))
	if !ok || err != nil || n < 1 || c.Photos == nil {
		c.notFound(w, r, "照片")
		return
	}
	rep, err := c.Incubators.AssetReport(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		c.notFound(w, r, "报告")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if v := visitOf(r); v.Person.Role == RoleManager && rep.Incubator != v.Person.Incubator {
		c.otherIncubator(w, r)
		return
	}
	ps, err := c.Photos.ReportPhotos(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if n > len(ps) {
		c.notFound(w, r, "照片")
		return
	}
	data, err := c.Photos.PhotoData(r.Context(), ps[n-1].ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	kind := ps[n-1].MIME
	if !imageTypes[kind] {
		kind = "application/octet-stream"
		w.Header().Set("Content-Disposition", "attachment")
	}
	w.Header().Set("Content-Type", kind)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Write(data)
}
