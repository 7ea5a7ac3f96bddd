package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/incubot/incubot/internal/postgres"
)

// reportPhotos lists the photos a manager attached to an asset report in
// chat and, with -o, writes them into a folder.
func reportPhotos(ctx context.Context, a *app, db *postgres.DB, args []string) error {
	fs := newFlags("report photos", a)
	out := fs.String("o", "", "folder to write the photos into")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("report photos REPORT_ID [-o DIR]")
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id < 1 {
		return usagef("report photos: %q is not a report number", pos[0])
	}
	photos, err := db.ReportPhotos(ctx, id)
	if err != nil {
		return err
	}
	if len(photos) == 0 {
		a.printf("report %d has no photos\n", id)
		return nil
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tBYTES\tTYPE\tRECEIVED")
	for i, p := range photos {
		name := fmt.Sprintf("report-%d-%d%s", id, i+1, extOf(p.MIME))
		if *out != "" {
			f, err := db.ReceivedFileByID(ctx, p.ID)
			if err != nil {
				return err
			}
			name = filepath.Join(*out, name)
			if err := os.WriteFile(name, f.Data, 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", name, p.Size, safe(p.MIME), p.CreatedAt.Local().Format(time.DateTime))
	}
	return tw.Flush()
}

func extOf(mime string) string {
	switch mime {
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	}
	return ".jpg"
}
