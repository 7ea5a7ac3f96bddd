package knowledge

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ExpiringDays is how many days ahead officers are warned that a document
// in force expires.
const ExpiringDays = 30

// Validity kinds of a document on a day.
const (
	ValidityInForce    = "in_force"
	ValidityExpiring   = "expiring" // in force, expiring within ExpiringDays
	ValidityExpired    = "expired"  // active, but its expiry date has passed
	ValidityNotYet     = "not_yet"  // active, effective later
	ValiditySuperseded = StatusSuperseded
	ValidityRetired    = StatusRetired
)

// Validity is what a document's dates and status mean on a day.
type Validity struct {
	Kind string
	Date *time.Time // the expiry (or, for not_yet, the effective) date
	Days int        // days left until expiry, for expiring (0: expires today)
}

// ValidityOn tells whether the document may be cited on day and, when it
// expires, how soon.
func (d *Document) ValidityOn(day time.Time) Validity {
	day = dateOf(day)
	switch {
	case d.Status == StatusSuperseded:
		return Validity{Kind: ValiditySuperseded}
	case d.Status != StatusActive:
		return Validity{Kind: ValidityRetired}
	case d.ExpiresOn != nil && day.After(dateOf(*d.ExpiresOn)):
		return Validity{Kind: ValidityExpired, Date: d.ExpiresOn}
	case d.EffectiveOn != nil && day.Before(dateOf(*d.EffectiveOn)):
		return Validity{Kind: ValidityNotYet, Date: d.EffectiveOn}
	case d.ExpiresOn != nil:
		left := int(dateOf(*d.ExpiresOn).Sub(day).Hours() / 24)
		if left <= ExpiringDays {
			return Validity{Kind: ValidityExpiring, Date: d.ExpiresOn, Days: left}
		}
	}
	return Validity{Kind: ValidityInForce, Date: d.ExpiresOn}
}

// String renders the validity for officers: 有效, 即将到期（12天，2027-02-28）,
// 已到期（2027-02-28）, 未生效（2027-01-01起）, 已替换, 已废止.
func (v Validity) String() string {
	switch v.Kind {
	case ValidityExpiring:
		left := fmt.Sprintf("%d天", v.Days)
		if v.Days == 0 {
			left = "今天"
		}
		return "即将到期（" + left + "，" + v.Date.Format(time.DateOnly) + "）"
	case ValidityExpired:
		return "已到期（" + v.Date.Format(time.DateOnly) + "）"
	case ValidityNotYet:
		return "未生效（" + v.Date.Format(time.DateOnly) + "起）"
	case ValiditySuperseded:
		return "已替换"
	case ValidityRetired:
		return "已废止"
	}
	return "有效"
}

// Expiring returns the active documents that have expired or expire within
// ExpiringDays of day, soonest first: what officers must renew or retire.
func Expiring(docs []Document, day time.Time) []Document {
	var out []Document
	for _, d := range docs {
		if k := d.ValidityOn(day).Kind; k == ValidityExpired || k == ValidityExpiring {
			out = append(out, d)
		}
	}
	for i := 1; i < len(out); i++ { // few documents: insertion sort by expiry
		for j := i; j > 0 && out[j].ExpiresOn.Before(*out[j-1].ExpiresOn); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ExpiryNotice is the officers' daily chat notice for documents that
// expired or expire soon; "" when there are none. At most 10 are named.
func ExpiryNotice(docs []Document, day time.Time) string {
	list := Expiring(docs, day)
	if len(list) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "政策文件有效期提醒（%s）：%d个文件已到期或将在%d天内到期。已到期的文件不再用于回答。", dateOf(day).Format(time.DateOnly), len(list), ExpiringDays)
	for i, d := range list {
		if i == 10 {
			fmt.Fprintf(&b, "\n……另有%d个，见 incubot kb list", len(list)-10)
			break
		}
		fmt.Fprintf(&b, "\n%d. 《%s》%s", i+1, ShortTitle(d.Title), d.ValidityOn(day))
	}
	b.WriteString("\n请核实是否有新规定：上传新文件（同文号自动替换）、修改有效期（incubot kb edit 或后台），或发送“废止 <文件>”。")
	return b.String()
}

// SourceExpired marks a reply telling the asker that the clause that
// answers their question is in a document that has expired.
const SourceExpired = "expired"

// expiredSearches bounds how many expiry dates a declined question is
// searched again on.
const expiredSearches = 3

// expired answers a question nothing in force answers when a document that
// has expired would have: the asker is told it has expired and whom to ask,
// and the clause is not quoted. inForce is the search among documents in
// force; nil when no expired document answers better.
func (a *Answerer) expired(ctx context.Context, q Question, inForce *SearchResult, k int) (*Answer, error) {
	today := dateOf(a.Retriever.Today())
	days, err := a.Retriever.Store.ExpiryDates(ctx, today, expiredSearches)
	if err != nil || len(days) == 0 {
		return nil, err
	}
	for _, day := range days {
		r := *a.Retriever
		r.Today = func() time.Time { return day }
		res, err := r.SearchFor(ctx, q, k)
		if err != nil {
			return nil, err
		}
		if len(res.Hits) == 0 {
			continue
		}
		h := res.Hits[0]
		if h.Doc.ValidityOn(today).Kind != ValidityExpired {
			continue // the best clause is in a document still in force
		}
		// A clause in force that comes close is replaced only by an
		// expired one that answers; a decline by one that is not about a
		// matter the corpus lacks.
		if !res.Answers && (len(inForce.Hits) > 0 || len(res.Lacks) > 0) {
			continue
		}
		when := dateOf(*h.Doc.ExpiresOn)
		text := fmt.Sprintf("与这个问题相关的规定见%s，但该文件已于%d年%d月%d日到期，请向%s确认是否有新规定。",
			ShortCitation(h), when.Year(), when.Month(), when.Day(), a.contact())
		return &Answer{Text: text, Answered: false, Source: SourceExpired, TopScore: h.Score, Searched: q.Text,
			Reason: fmt.Sprintf("the best clause is in document %d, expired on %s", h.Doc.ID, when.Format(time.DateOnly))}, nil
	}
	return nil, nil
}

func (a *Answerer) contact() string {
	if a.Contact != "" {
		return a.Contact
	}
	return "区科技局"
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
