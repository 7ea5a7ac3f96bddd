package knowledge

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/incubot/incubot/knowledge/corpus"
)

// ExpiryNotice is the officers' daily chat notice for documents that
// expired or expire soon; "" when there are none. At most 10 are named.
func ExpiryNotice(docs []corpus.Document, day time.Time) string {
	list := corpus.Expiring(docs, day)
	if len(list) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "政策文件有效期提醒（%s）：%d个文件已到期或将在%d天内到期。已到期的文件不再用于回答。", corpus.DateOf(day).Format(time.DateOnly), len(list), corpus.ExpiringDays)
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
func (a *Answerer) expired(ctx context.Context, q Question, inForce *SearchResult, k int) (*corpus.Answer, error) {
	today := corpus.DateOf(a.Retriever.Today())
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
		if h.Doc.ValidityOn(today).Kind != corpus.ValidityExpired {
			continue // the best clause is in a document still in force
		}
		// A clause in force that comes close is replaced only by an
		// expired one that answers; a decline by one that is not about a
		// matter the corpus lacks.
		if !res.Answers && (len(inForce.Hits) > 0 || len(res.Lacks) > 0) {
			continue
		}
		when := corpus.DateOf(*h.Doc.ExpiresOn)
		text := fmt.Sprintf("与这个问题相关的规定见%s，但该文件已于%d年%d月%d日到期，请向%s确认是否有新规定。",
			ShortCitation(h), when.Year(), when.Month(), when.Day(), a.contact())
		return &corpus.Answer{Text: text, Answered: false, Source: SourceExpired, TopScore: h.Score, Searched: q.Text,
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
