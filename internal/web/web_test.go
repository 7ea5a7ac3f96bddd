package web

import (
	"testing"
	"time"

	"github.com/incubot/incubot/knowledge/corpus"
)

func TestGroupPutsAlikeQuestionsTogetherNewestFirst(t *testing.T) {
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.Local)
	qs := []Question{
		{ID: 5, Question: "专精特新小巨人怎么申报？", At: at.Add(4 * time.Hour)},
		{ID: 4, Question: "孵化器场地租金有没有减免", At: at.Add(3 * time.Hour)},
		{ID: 3, Question: "专精特新小巨人如何申报", At: at.Add(2 * time.Hour)},
		{ID: 2, Question: "孵化器场地租金能减免吗？", At: at.Add(time.Hour)},
		{ID: 1, Question: "研发费用加计扣除比例", At: at},
	}
	g := Group(qs)
	if len(g) != 3 {
		t.Fatalf("want 3 groups, got %d: %+v", len(g), g)
	}
	if g[0].Newest().ID != 5 || g[0].IDs() != "5,3" || g[1].IDs() != "4,2" || g[2].IDs() != "1" {
		t.Fatalf("groups %s | %s | %s", g[0].IDs(), g[1].IDs(), g[2].IDs())
	}
}

func TestExpiryStandsOut(t *testing.T) {
	today := time.Date(2026, 10, 1, 0, 0, 0, 0, time.Local)
	day := func(d int) *time.Time { x := today.AddDate(0, 0, d); return &x }
	for _, c := range []struct {
		expires *time.Time
		status  string
		want    string
	}{
		{nil, corpus.StatusActive, ""},
		{day(-1), corpus.StatusActive, "expired"},
		{day(0), corpus.StatusActive, "soon"},
		{day(30), corpus.StatusActive, "soon"},
		{day(31), corpus.StatusActive, ""},
		{day(-1), corpus.StatusRetired, ""},
	} {
		d := &corpus.Document{ExpiresOn: c.expires, Status: c.status}
		if got := expiry(d, today); got != c.want {
			t.Errorf("expires %v (%s): %q, want %q", c.expires, c.status, got, c.want)
		}
	}
}
