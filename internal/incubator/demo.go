package incubator

import (
	"context"
	"fmt"
	"time"

	"github.com/incubot/incubot/internal/model"
)

// DemoIncubator is the incubator of the demo story.
const DemoIncubator = "创客城"

type demoItem struct {
	name, category, spec string
	yuan                 int64
	count                int
	locations            []string
	missing              int // how many of them go missing in the story
}

var demoItems = []demoItem{
	{"工业级3D打印机", "创客工坊设备", "Stratasys F370", 268000, 2, []string{"一楼创客工坊"}, 2},
	{"激光切割机", "创客工坊设备", "大族 CMA1390", 158000, 2, []string{"一楼创客工坊"}, 2},
	{"数控雕刻机", "创客工坊设备", "精雕 JDLVG600", 186000, 1, []string{"一楼创客工坊"}, 1},
	{"示波器", "实验设备", "泰克 MDO34", 62000, 3, []string{"二楼电子实验室"}, 2},
	{"频谱分析仪", "实验设备", "是德 N9320B", 96000, 1, []string{"二楼电子实验室"}, 1},
	{"服务器", "电子设备", "华为 FusionServer 2288H", 86000, 3, []string{"二楼机房"}, 3},
	{"LED显示屏", "会议设备", "P2.5 室内全彩 12㎡", 128000, 1, []string{"一楼路演厅"}, 1},
	{"视频会议系统", "会议设备", "华为 TE50", 45000, 2, []string{"三楼会议室", "四楼会议室"}, 2},
	{"投影仪", "会议设备", "爱普生 CB-L730U", 18600, 4, []string{"三楼会议室", "四楼会议室", "一楼路演厅", "二楼培训室"}, 3},
	{"笔记本电脑", "电子设备", "联想 ThinkPad X1", 12800, 10, []string{"三楼共享办公区", "四楼共享办公区"}, 6},
	{"台式电脑", "电子设备", "联想 ThinkCentre M90", 6800, 12, []string{"三楼共享办公区", "四楼共享办公区", "二楼培训室"}, 4},
	{"无人机", "创客工坊设备", "大疆 Matrice 30", 72000, 2, []string{"一楼创客工坊"}, 2},
	{"彩色激光打印机", "电子设备", "惠普 M479fdw", 5200, 4, []string{"三楼文印室", "四楼文印室"}, 1},
	{"单反相机", "电子设备", "佳能 EOS R6", 16800, 2, []string{"一楼路演厅"}, 2},
	{"音响系统", "会议设备", "JBL 专业扩声套装", 38000, 1, []string{"一楼路演厅"}, 1},
	{"办公桌椅", "办公家具", "1.4m 工位套装", 1800, 10, []string{"三楼共享办公区", "四楼共享办公区"}, 0},
	{"会议桌", "办公家具", "3.6m 实木", 8600, 3, []string{"三楼会议室", "四楼会议室", "二楼培训室"}, 0},
	{"文件柜", "办公家具", "钢制四门", 1600, 10, []string{"三楼文印室", "四楼文印室", "五楼办公室"}, 0},
	{"空调", "办公设备", "格力 5匹柜机", 14200, 6, []string{"三楼共享办公区", "四楼共享办公区", "一楼路演厅"}, 0},
	{"饮水机", "办公设备", "美的 YR1226S", 1200, 6, []string{"三楼茶水间", "四楼茶水间"}, 0},
	{"碎纸机", "办公设备", "得力 9931", 1500, 5, []string{"三楼文印室", "四楼文印室", "五楼办公室"}, 0},
	{"电子白板", "会议设备", "MAXHUB V6 86寸", 26800, 3, []string{"二楼培训室", "三楼会议室", "四楼会议室"}, 0},
	{"网络交换机", "电子设备", "华为 S5735", 9800, 4, []string{"二楼机房"}, 0},
	{"门禁考勤系统", "办公设备", "海康 DS-K1T", 6400, 4, []string{"一楼大堂"}, 0},
}

// DemoRegister is the generated register of the demo: 101 items of 创客城
// with codes CKC-001 … CKC-101.
func DemoRegister() []Asset {
	var out []Asset
	day := time.Date(2019, 6, 18, 0, 0, 0, 0, time.UTC)
	n := 0
	for _, it := range demoItems {
		for i := 0; i < it.count; i++ {
			n++
			d := day.AddDate(0, 0, (n*37)%700)
			out = append(out, Asset{
				Code: fmt.Sprintf("CKC-%03d", n), Name: it.name, Category: it.category, Spec: it.spec, Quantity: 1,
				UnitPrice: it.yuan * 100, Location: it.locations[i%len(it.locations)], PurchasedOn: &d, Status: StatusRegistered,
			})
		}
	}
	return out
}

// DemoMissing lists the codes the demo's audit finds missing: 33 items
// worth over ¥2,000,000.
func DemoMissing() []string {
	var codes []string
	n := 0
	for _, it := range demoItems {
		for i := 0; i < it.count; i++ {
			n++
			if i < it.missing {
				codes = append(codes, fmt.Sprintf("CKC-%03d", n))
			}
		}
	}
	return codes
}

// The demo's audit story: the operator of 创客城, the January stock-take
// that found 33 items missing, the compensation notice of February and the
// replacements verified in May.
const (
	DemoOperator       = "柳州爱创孵化器有限公司"
	DemoNoticeNumber   = "柳鱼科字〔2021〕3号"
	DemoReplaced       = 20 // missing items replaced and verified
	DemoReplacePending = 5  // replacements reported, waiting for verification
)

// Dates of the demo's story.
var (
	DemoStocktakeOpened = time.Date(2021, 1, 11, 9, 0, 0, 0, time.Local)
	DemoStocktakeClosed = time.Date(2021, 1, 22, 17, 0, 0, 0, time.Local)
	DemoNoticeIssued    = time.Date(2021, 2, 5, 10, 0, 0, 0, time.Local)
	DemoNoticeDeadline  = time.Date(2021, 5, 31, 0, 0, 0, 0, time.Local)
)

// DemoStore is what loading the demo's story changes.
type DemoStore interface {
	SetIncubatorOperator(ctx context.Context, incubatorID int, operator string, a model.Actor) error
	Stocktakes(ctx context.Context, incubatorID int) ([]Stocktake, error)
	OpenStocktake(ctx context.Context, incubatorID int, now time.Time, a model.Actor) (Stocktake, error)
	MarkStocktake(ctx context.Context, id, personID, msgRow int64, m Mark, now time.Time, a model.Actor) (MarkOutcome, error)
	CloseStocktake(ctx context.Context, id int64, now time.Time, a model.Actor) (StocktakeResult, error)
	CreateNotice(ctx context.Context, stocktakeID int64, number, prefix string, deadline, now time.Time, a model.Actor) (Notice, error)
	AssetsByCode(ctx context.Context, code string) ([]Asset, error)
	CreateAssetReport(ctx context.Context, rep *AssetReport, a model.Actor) error
	ReviewReport(ctx context.Context, id int64, passed bool, note string, a model.Actor) (AssetReport, error)
}

// LoadDemoStory plays the audit's story on the demo register through the
// same calls chat and CLI make: the operator set, the January stock-take
// (33 missing, the rest found), closed; the notice 柳鱼科字〔2021〕3号;
// DemoReplaced items replaced and verified, DemoReplacePending replaced and
// waiting. It does nothing when the incubator has a stock-take already.
func LoadDemoStory(ctx context.Context, s DemoStore, inc Incubator) error {
	done, err := s.Stocktakes(ctx, inc.ID)
	if err != nil || len(done) > 0 {
		return err
	}
	officer := model.Actor{Name: "李科长", Role: model.RoleOfficer, Channel: "demo"}
	manager := model.Actor{Name: "王经理", Role: model.RoleManager, Channel: "demo"}
	if err := s.SetIncubatorOperator(ctx, inc.ID, DemoOperator, officer); err != nil {
		return err
	}
	st, err := s.OpenStocktake(ctx, inc.ID, DemoStocktakeOpened, officer)
	if err != nil {
		return err
	}
	missing := DemoMissing()
	isMissing := map[string]bool{}
	for _, c := range missing {
		isMissing[c] = true
	}
	var present []string
	for _, a := range DemoRegister() {
		if !isMissing[a.Code] {
			present = append(present, a.Code)
		}
	}
	mark := func(result string, codes []string) error {
		for len(codes) > 0 {
			n := min(len(codes), MaxMarksPerMessage)
			m := Mark{Result: result}
			for _, c := range codes[:n] {
				m.Refs = append(m.Refs, Ref{Code: c})
			}
			if _, err := s.MarkStocktake(ctx, st.ID, 0, 0, m, DemoStocktakeOpened.AddDate(0, 0, 3), manager); err != nil {
				return err
			}
			codes = codes[n:]
		}
		return nil
	}
	if err := mark(FoundPresent, present); err != nil {
		return err
	}
	if err := mark(FoundMissing, missing); err != nil {
		return err
	}
	if _, err := s.CloseStocktake(ctx, st.ID, DemoStocktakeClosed, officer); err != nil {
		return err
	}
	if _, err := s.CreateNotice(ctx, st.ID, DemoNoticeNumber, DefaultNoticePrefix, DemoNoticeDeadline, DemoNoticeIssued, officer); err != nil {
		return err
	}
	for i, code := range missing[:DemoReplaced+DemoReplacePending] {
		assets, err := s.AssetsByCode(ctx, code)
		if err != nil || len(assets) == 0 {
			return fmt.Errorf("demo story: asset %s: %v", code, err)
		}
		rep := &AssetReport{AssetID: assets[0].ID, Kind: KindRestored, Note: "按原型号重新购置", Reporter: manager.Name, Channel: manager.Channel}
		if err := s.CreateAssetReport(ctx, rep, manager); err != nil {
			return err
		}
		if i < DemoReplaced {
			if _, err := s.ReviewReport(ctx, rep.ID, true, "已到现场核对", officer); err != nil {
				return err
			}
		}
	}
	return nil
}
