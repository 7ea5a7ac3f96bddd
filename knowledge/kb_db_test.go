package knowledge_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/testdb"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/docfile"
	"github.com/incubot/incubot/knowledge/models"
)

type env struct {
	db  *postgres.DB
	kb  *knowledge.KB
	r   *knowledge.Retriever
	day time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testdb.New(t)
	e := &env{db: db, day: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	e.kb = &knowledge.KB{Store: db, Local: models.NewLocalEmbedder(), Embedder: models.NewLocalEmbedder()}
	e.r = &knowledge.Retriever{Store: db, Local: models.NewLocalEmbedder(), Today: func() time.Time { return e.day }, Opts: knowledge.DefaultRetrieveOptions}
	return e
}

func (e *env) add(t *testing.T, name, text string, opts knowledge.AddOptions) knowledge.AddResult {
	t.Helper()
	res := e.kb.Add(context.Background(), name, []byte(text), opts)
	if res.Err != nil {
		t.Fatalf("add %s: %v", name, res.Err)
	}
	if err := e.kb.FinishIngest(context.Background()); err != nil {
		t.Fatal(err)
	}
	return res
}

func (e *env) search(t *testing.T, q string) []corpus.Hit {
	t.Helper()
	res, err := e.r.Search(context.Background(), q, 5)
	if err != nil {
		t.Fatal(err)
	}
	return res.Hits
}

const subsidyV1 = `# XX区企业购买科技成果补助暂行办法
第一条 为鼓励企业购买科技成果，制定本办法。
第六条 按技术合同实际成交额的10%给予补助，单个项目最高补助50万元。
`

const subsidyV2 = `# XX区企业购买科技成果补助暂行办法
第一条 为鼓励企业购买科技成果，制定本办法。
第六条 按技术合同实际成交额的15%给予补助，单个项目最高补助80万元，补助资金专款专用。
`

func TestAddSearchAndVersions(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	first := e.add(t, "subsidy.txt", subsidyV1, knowledge.AddOptions{})
	if first.Outcome != knowledge.Added || first.Chunks != 2 {
		t.Fatalf("first add: %+v", first)
	}
	hits := e.search(t, "购买科技成果补助比例是多少")
	if len(hits) == 0 || !strings.Contains(hits[0].Chunk.Body, "10%") {
		t.Fatalf("search before the new version: %+v", hits)
	}

	again := e.add(t, "copy-of-subsidy.txt", subsidyV1, knowledge.AddOptions{})
	if again.Outcome != knowledge.Unchanged || again.Doc.ID != first.Doc.ID {
		t.Fatalf("same content must change nothing: %+v", again)
	}

	second := e.add(t, "subsidy-2025.txt", subsidyV2, knowledge.AddOptions{})
	if second.Outcome != knowledge.Replaced || second.Replaced.ID != first.Doc.ID {
		t.Fatalf("same title must supersede: %+v", second)
	}
	old, err := e.db.FindDocument(ctx, "1")
	if err != nil || old.Status != corpus.StatusSuperseded || old.ReplacedBy == nil || *old.ReplacedBy != second.Doc.ID {
		t.Fatalf("old version: %+v %v", old, err)
	}
	for _, q := range []string{"购买科技成果补助比例是多少", "技术合同实际成交额的10%给予补助", "最高补助50万元"} {
		for _, h := range e.search(t, q) {
			if h.Doc.ID == first.Doc.ID || strings.Contains(h.Chunk.Body, "50万元") {
				t.Fatalf("%q returned the superseded version: %+v", q, h)
			}
		}
	}
	hits = e.search(t, "购买科技成果补助比例是多少")
	if len(hits) == 0 || !strings.Contains(hits[0].Chunk.Body, "15%") {
		t.Fatalf("the new version should answer: %+v", hits)
	}

	if _, err := e.kb.Retire(ctx, "XX区企业购买科技成果补助暂行办法"); err != nil {
		t.Fatal(err)
	}
	if hits := e.search(t, "购买科技成果补助比例是多少"); len(hits) != 0 {
		t.Fatalf("a retired document must never be retrieved: %+v", hits)
	}
	if _, err := e.kb.Retire(ctx, "XX区企业购买科技成果补助暂行办法"); err == nil {
		t.Fatal("retiring twice should say it is already retired")
	}
	entries, err := e.db.Audit(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range entries {
		if a.Entity == "document" {
			actions = append(actions, a.Action)
		}
	}
	if strings.Join(actions, ",") != "add,replace,retire" {
		t.Fatalf("corpus changes must be audited once each: %v", actions)
	}
}

func TestExplicitReplaces(t *testing.T) {
	e := newEnv(t)
	old := e.add(t, "a.txt", "# 孵化器扶持办法（试行）\n第一条 孵化器面积补助每平方米100元。\n", knowledge.AddOptions{})
	res := e.add(t, "b.txt", "# 孵化器扶持办法\n第一条 孵化器面积补助每平方米120元。\n", knowledge.AddOptions{Replaces: "孵化器扶持办法（试行）"})
	if res.Outcome != knowledge.Replaced || res.Replaced.ID != old.Doc.ID {
		t.Fatalf("--replaces: %+v", res)
	}
	for _, h := range e.search(t, "孵化器面积补助每平方米多少元") {
		if h.Doc.ID == old.Doc.ID {
			t.Fatal("replaced document retrieved")
		}
	}
}

func TestValidityDates(t *testing.T) {
	e := newEnv(t)
	exp := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	e.add(t, "old.txt", "# 2022年研发投入奖励办法\n第一条 企业研发投入奖励按增量的5%计算。\n", knowledge.AddOptions{Meta: docfile.Meta{ExpiresOn: &exp}})
	eff := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e.add(t, "future.txt", "# 2026年科普活动经费办法\n第一条 科普活动经费每场补助3000元。\n", knowledge.AddOptions{Meta: docfile.Meta{EffectiveOn: &eff}})

	if hits := e.search(t, "研发投入奖励按增量多少计算"); len(hits) != 0 {
		t.Fatalf("an expired document must not be retrieved: %+v", hits)
	}
	if hits := e.search(t, "科普活动经费每场补助多少"); len(hits) != 0 {
		t.Fatalf("a document not yet in force must not be retrieved: %+v", hits)
	}
	e.day = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	if hits := e.search(t, "研发投入奖励按增量多少计算"); len(hits) == 0 {
		t.Fatal("before its expiry the document is retrieved")
	}
	e.day = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if hits := e.search(t, "科普活动经费每场补助多少"); len(hits) == 0 {
		t.Fatal("once in force the document is retrieved")
	}
}

func TestBadFilesLeaveNothingBehind(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	for _, bad := range []struct{ name, text string }{{"x.xls", "a"}, {"empty.txt", " "}, {"broken.docx", "PK nope"}} {
		if res := e.kb.Add(ctx, bad.name, []byte(bad.text), knowledge.AddOptions{}); res.Outcome != knowledge.Failed || res.Err == nil {
			t.Fatalf("%s: %+v", bad.name, res)
		}
	}
	docs, err := e.db.Documents(ctx, true)
	if err != nil || len(docs) != 0 {
		t.Fatalf("failed files must write nothing: %v %v", docs, err)
	}
}

func TestUnrelatedQuestionFindsNothing(t *testing.T) {
	e := newEnv(t)
	e.add(t, "subsidy.txt", subsidyV1, knowledge.AddOptions{})
	if hits := e.search(t, "今天天气怎么样"); len(hits) != 0 {
		t.Fatalf("an unrelated question must find nothing: %+v", hits)
	}
}

func TestVectorSearchUsesPartialIndex(t *testing.T) {
	sql := postgres.VectorSearchSQL(7, 1024)
	for _, want := range []string{"e.model_id = 7", "e.embedding::vector(1024) <=> $1::text::vector(1024)", "ORDER BY e.embedding::vector(1024)"} {
		if !strings.Contains(sql, want) {
			t.Fatalf("vector SQL lacks %q:\n%s", want, sql)
		}
	}
}

// A question that names a city is answered from that city's documents and
// national ones, never from another city's policy that shares its words.
func TestSearchKeepsToThePlaceAsked(t *testing.T) {
	e := newEnv(t)
	const body = "第三条 购买科技成果进行转化的企业，按技术交易额的10%给予后补助。\n"
	e.add(t, "nanning.txt", "# 南宁市企业购买科技成果转化后补助办法\n"+body, knowledge.AddOptions{})
	e.add(t, "beihai.txt", "# 北海市科技成果转化后补助办法\n"+strings.Replace(body, "10%", "5%", 1), knowledge.AddOptions{})
	e.add(t, "guangxi.txt", "# 广西科技成果转化后补助申报指引\n第二条 后补助资金按年度申报，企业购买科技成果的可以申请。\n", knowledge.AddOptions{})

	docs := func(q string) map[string]bool {
		out := map[string]bool{}
		for _, h := range e.search(t, q) {
			out[h.Doc.FileName] = true
		}
		return out
	}
	if got := docs("北海购买科技成果后补助比例是多少"); !got["beihai.txt"] || got["nanning.txt"] {
		t.Errorf("a question about 北海 got %v", got)
	}
	if got := docs("南宁购买科技成果转化后补助怎么申请"); !got["nanning.txt"] || !got["guangxi.txt"] || got["beihai.txt"] {
		t.Errorf("a question about 南宁 must keep 南宁 and 广西 documents, got %v", got)
	}
	if got := docs("柳州购买科技成果后补助比例是多少"); len(got) != 0 {
		t.Errorf("no document covers 柳州, yet got %v", got)
	}
	if got := docs("购买科技成果后补助比例是多少"); !got["beihai.txt"] || !got["nanning.txt"] {
		t.Errorf("a question naming no place must search every document, got %v", got)
	}

	// A bureau in 南宁 reads a question naming no place as asked about 南宁;
	// a place the question names still wins.
	e.r.Home = []string{"南宁"}
	if got := docs("购买科技成果后补助比例是多少"); !got["nanning.txt"] || got["beihai.txt"] {
		t.Errorf("with home 南宁, a question naming no place got %v", got)
	}
	if got := docs("北海购买科技成果后补助比例是多少"); !got["beihai.txt"] || got["nanning.txt"] {
		t.Errorf("with home 南宁, a question about 北海 got %v", got)
	}
}

// A rare spelling of a common concept (专利费 beside the documents'
// 专利收费) weighs no more than the concept itself, so the clause that
// answers the question outranks the one that merely shares the spelling.
func TestSynonymSpellingDoesNotOutweighTheQuestion(t *testing.T) {
	e := newEnv(t)
	e.add(t, "fees.txt", `# 专利收费减缴办法
第二条 专利申请人可以请求减缴下列专利收费：申请费、年费和复审费。
第三条 专利申请人符合下列条件之一的，可以请求减缴专利收费：上年度企业应纳税所得额低于30万元的企业。
第五条 专利申请人只能请求减缴尚未到期的专利收费。
第十条 企业申请减缴专利费经批准的，应当在规定期限内按照批准后的应缴数额缴纳专利费。
第十一条 提供虚假证明材料的，撤销减缴专利收费决定。
第十二条 不符合减缴条件的，不予批准。
第十三条 减缴条件发生变化的，专利申请人应当及时报告。
第十四条 本办法由国家知识产权局负责解释，自发布之日起施行。
`, knowledge.AddOptions{})
	hits := e.search(t, "小公司申请专利费减缴要满足啥条件")
	if len(hits) == 0 || hits[0].Chunk.Article != "第三条" {
		var got []string
		for _, h := range hits {
			got = append(got, h.Chunk.Article)
		}
		t.Fatalf("the conditions clause should rank first, got %v", got)
	}
}

// When the asker's place is unknown, a document that binds everywhere ranks
// above another province's regulation that matches as well: the national
// rule surely applies to the asker, the local one only perhaps.
func TestAQuestionOfNoPlacePrefersWhatBindsEverywhere(t *testing.T) {
	e := newEnv(t)
	const body = "第二条 科技企业孵化器（含众创空间等）是培育科技型中小企业的服务机构，科技企业孵化器、众创空间应当为在孵企业提供服务。\n"
	e.add(t, "zhejiang.txt", "# 浙江省高新技术促进条例\n"+body+"第三条 本条例自公布之日起施行。\n", knowledge.AddOptions{})
	e.add(t, "national.txt", "# 科技企业孵化器管理办法\n"+strings.Replace(body, "，科技企业孵化器、众创空间应当为在孵企业提供服务", "", 1)+"第三条 本办法自发布之日起施行。\n", knowledge.AddOptions{})
	e.add(t, "other.txt", unrelated, knowledge.AddOptions{})
	hits := e.search(t, "众创空间算不算科技企业孵化器")
	if len(hits) < 2 || hits[0].Doc.FileName != "national.txt" || hits[1].Doc.FileName != "zhejiang.txt" {
		t.Fatalf("want the national clause first, then 浙江's: %v", fileNames(hits))
	}
	// Once the question names the province, its regulation is no longer
	// discounted.
	hits = e.search(t, "浙江众创空间算不算科技企业孵化器")
	if len(hits) == 0 || hits[0].Doc.FileName != "zhejiang.txt" {
		t.Fatalf("a question about 浙江 wants 浙江's clause first: %v", fileNames(hits))
	}
}

func fileNames(hits []corpus.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Doc.FileName+" "+h.Chunk.Article)
	}
	return out
}
