// Package config loads incubot's one configuration value: defaults, then
// environment variables, then an optional file, then Validate.
package config

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/incubot/incubot/internal/place"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is every setting incubot reads. Zero values are never used: Load
// fills the defaults first.
type Config struct {
	DatabaseURL string
	DataDir     string
	DevDBDir    string
	DevDBPort   int
	DBMaxConns  int

	LogFormat string
	LogLevel  string

	EmbedBaseURL    string
	EmbedModel      string
	EmbedAPIKey     string
	EmbedDimensions int
	EmbedBatch      int

	ChatBaseURL  string
	ChatModel    string
	ChatAPIKey   string
	ModelTimeout time.Duration

	Today string // YYYY-MM-DD; empty means the real date
	// HomePlaces are the places the bureau serves (南宁, or 广西): a
	// question naming no place is read as asked about them.
	HomePlaces []string

	BotName       string
	Groups        []string
	ContactOffice string
	ContactPhone  string
	FallbackText  string

	HTTPAddr  string
	HTTPToken string
	// ConsoleURL is the web console's public address, for sign-in links.
	ConsoleURL string

	ChatInterval   time.Duration
	GlobalInterval time.Duration
	MaxMessageAge  time.Duration
	HandlingLease  time.Duration
	ContextTTL     time.Duration
	FormTTL        time.Duration
	MaxMessageLen  int

	WeChatQRFile  string
	WeChatNotify  []string
	MaxUploadSize int64

	// The WeCom smart bot (long connection): on when WeComBotID is set.
	WeComBotID    string
	WeComSecret   string
	WeComURL      string
	WeComMaxMedia int64

	// 微信客服: on when KFCorpID is set; its callback is served on the HTTP API.
	KFCorpID string
	KFSecret string
	KFToken  string
	KFAESKey string
}

// field describes one setting: its variable, default and meaning. The table
// drives loading, printing and the README's configuration table.
type field struct {
	env     string
	alias   string // a second accepted name, e.g. DATABASE_URL
	def     string
	secret  bool
	help    string
	accepts string // shown when the value is invalid
	set     func(c *Config, v string) error
	get     func(c *Config) string
}

func str(p func(*Config) *string) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error { *p(c) = strings.TrimSpace(v); return nil },
		func(c *Config) string { return *p(c) }
}

func oneOf(p func(*Config) *string, allowed ...string) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error {
			v = strings.ToLower(strings.TrimSpace(v))
			if !slices.Contains(allowed, v) {
				return errInvalid
			}
			*p(c) = v
			return nil
		},
		func(c *Config) string { return *p(c) }
}

func integer(p func(*Config) *int, min int) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < min {
				return errInvalid
			}
			*p(c) = n
			return nil
		},
		func(c *Config) string { return strconv.Itoa(*p(c)) }
}

func duration(p func(*Config) *time.Duration) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d < 0 {
				return errInvalid
			}
			*p(c) = d
			return nil
		},
		func(c *Config) string { return p(c).String() }
}

func list(p func(*Config) *[]string) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error {
			var out []string
			for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '，' }) {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
			*p(c) = out
			return nil
		},
		func(c *Config) string { return strings.Join(*p(c), ",") }
}

var errInvalid = errors.New("invalid")

func fields() []field {
	var fs []field
	add := func(f field, set func(*Config, string) error, get func(*Config) string) {
		f.set, f.get = set, get
		fs = append(fs, f)
	}
	add(field{env: "INCUBOT_DATABASE_URL", alias: "DATABASE_URL", secret: true, help: "PostgreSQL with pgvector, e.g. postgres://incubot:pw@db:5432/incubot. Empty: the embedded development database", accepts: "a postgres:// or postgresql:// URL"}, func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if v == "" {
			c.DatabaseURL = ""
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return errInvalid
		}
		c.DatabaseURL = v
		return nil
	}, func(c *Config) string { return c.DatabaseURL })
	s, g := str(func(c *Config) *string { return &c.DataDir })
	add(field{env: "INCUBOT_DATA_DIR", def: ".incubot", help: "where the embedded database, its log and lock, and the WeChat login QR live"}, s, g)
	s, g = str(func(c *Config) *string { return &c.DevDBDir })
	add(field{env: "INCUBOT_DEVDB_DIR", def: "deploy/devdb", help: "folder holding the pinned PGlite npm packages (npm ci there)"}, s, g)
	s, g = integer(func(c *Config) *int { return &c.DevDBPort }, 0)
	add(field{env: "INCUBOT_DEVDB_PORT", def: "0", help: "port of the embedded database on 127.0.0.1; 0 picks a free one", accepts: "a port number, 0 for any free port"}, s, g)
	s, g = integer(func(c *Config) *int { return &c.DBMaxConns }, 0)
	add(field{env: "INCUBOT_DB_MAX_CONNS", def: "0", help: "connections in the pool to a real PostgreSQL (DATABASE_URL); 0: pool_max_conns from the URL, else twice the CPU cores and at least 4. The embedded database always takes one", accepts: "a whole number from 0 to 1000"}, s, g)
	s, g = oneOf(func(c *Config) *string { return &c.LogFormat }, "text", "json")
	add(field{env: "INCUBOT_LOG_FORMAT", def: "text", help: "log format on stderr", accepts: "text, json"}, s, g)
	s, g = oneOf(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")
	add(field{env: "INCUBOT_LOG_LEVEL", def: "info", help: "lowest level logged", accepts: "debug, info, warn, error"}, s, g)
	s, g = str(func(c *Config) *string { return &c.EmbedBaseURL })
	add(field{env: "INCUBOT_EMBED_BASE_URL", help: "OpenAI-compatible embeddings endpoint, e.g. http://localhost:11434/v1. Empty: the local lexical embedder"}, s, g)
	s, g = str(func(c *Config) *string { return &c.EmbedModel })
	add(field{env: "INCUBOT_EMBED_MODEL", help: "embedding model name at that endpoint, e.g. text-embedding-v3, bge-m3"}, s, g)
	s, g = str(func(c *Config) *string { return &c.EmbedAPIKey })
	add(field{env: "INCUBOT_EMBED_API_KEY", secret: true, help: "API key for the embeddings endpoint (INCUBOT_EMBED_API_KEY_FILE reads it from a file)"}, s, g)
	s, g = integer(func(c *Config) *int { return &c.EmbedDimensions }, 0)
	add(field{env: "INCUBOT_EMBED_DIMENSIONS", def: "0", help: "expected vector size of the embedding model; 0 takes what the model returns (at most 2000)", accepts: "a whole number from 0 to 2000"}, s, g)
	s, g = integer(func(c *Config) *int { return &c.EmbedBatch }, 1)
	add(field{env: "INCUBOT_EMBED_BATCH", def: "10", help: "texts per embeddings request (DashScope accepts at most 10)", accepts: "a whole number ≥ 1"}, s, g)
	s, g = str(func(c *Config) *string { return &c.ChatBaseURL })
	add(field{env: "INCUBOT_CHAT_BASE_URL", help: "OpenAI-compatible chat endpoint (DeepSeek, DashScope compatible mode, Ollama, vLLM). Empty: extractive answers"}, s, g)
	s, g = str(func(c *Config) *string { return &c.ChatModel })
	add(field{env: "INCUBOT_CHAT_MODEL", help: "chat model name, e.g. deepseek-chat, qwen-plus"}, s, g)
	s, g = str(func(c *Config) *string { return &c.ChatAPIKey })
	add(field{env: "INCUBOT_CHAT_API_KEY", secret: true, help: "API key for the chat endpoint (INCUBOT_CHAT_API_KEY_FILE reads it from a file)"}, s, g)
	s, g = duration(func(c *Config) *time.Duration { return &c.ModelTimeout })
	add(field{env: "INCUBOT_MODEL_TIMEOUT", def: "20s", help: "deadline for one model call, retries included", accepts: "a duration such as 20s"}, s, g)
	add(field{env: "INCUBOT_TODAY", help: "fixes today's date (YYYY-MM-DD) for document validity; empty: the real date", accepts: "a date as YYYY-MM-DD"}, func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if v != "" {
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				return errInvalid
			}
		}
		c.Today = v
		return nil
	}, func(c *Config) string { return c.Today })
	setList, getList := list(func(c *Config) *[]string { return &c.HomePlaces })
	add(field{env: "INCUBOT_HOME_PLACE", help: "the city or province the bureau serves, e.g. 南宁: a question naming no place is answered from national documents, that place's and its province's, never another place's local measures; empty: every document", accepts: "comma-separated provinces or prefecture-level cities written short, e.g. 南宁 or 广西"}, func(c *Config, v string) error {
		if err := setList(c, v); err != nil {
			return err
		}
		for i, p := range c.HomePlaces {
			short, ok := place.Known(p)
			if !ok {
				return errInvalid
			}
			c.HomePlaces[i] = short
		}
		return nil
	}, getList)
	s, g = str(func(c *Config) *string { return &c.BotName })
	add(field{env: "INCUBOT_BOT_NAME", def: "小助手", help: "name that addresses the bot in groups (\"小助手 …\" or \"@小助手 …\")"}, s, g)
	s, g = list(func(c *Config) *[]string { return &c.Groups })
	add(field{env: "INCUBOT_GROUPS", help: "comma-separated group names the bot answers in; empty: every group"}, s, g)
	s, g = str(func(c *Config) *string { return &c.ContactOffice })
	add(field{env: "INCUBOT_CONTACT_OFFICE", def: "区科技局科技服务科", help: "office named when a question is not covered"}, s, g)
	s, g = str(func(c *Config) *string { return &c.ContactPhone })
	add(field{env: "INCUBOT_CONTACT_PHONE", def: "0771-0000000", help: "phone named when a question is not covered"}, s, g)
	s, g = str(func(c *Config) *string { return &c.FallbackText })
	add(field{env: "INCUBOT_FALLBACK_TEXT", def: "抱歉，现有政策文件中没有找到能回答这个问题的条款。问题已记录，请联系{office}（电话 {phone}）咨询。", help: "reply when the corpus does not cover a question; {office} and {phone} are filled in"}, s, g)
	s, g = str(func(c *Config) *string { return &c.HTTPAddr })
	add(field{env: "INCUBOT_HTTP_ADDR", help: "address of the HTTP API for serve, e.g. 127.0.0.1:8080; empty: no HTTP API"}, s, g)
	s, g = str(func(c *Config) *string { return &c.HTTPToken })
	add(field{env: "INCUBOT_HTTP_TOKEN", secret: true, help: "bearer token the HTTP API requires (INCUBOT_HTTP_TOKEN_FILE reads it from a file)"}, s, g)
	s, g = str(func(c *Config) *string { return &c.ConsoleURL })
	add(field{env: "INCUBOT_CONSOLE_URL", help: "public address of the web console for sign-in links, e.g. https://bot.example.gov.cn; empty: http:// and INCUBOT_HTTP_ADDR"}, s, g)
	s, g = duration(func(c *Config) *time.Duration { return &c.ChatInterval })
	add(field{env: "INCUBOT_CHAT_INTERVAL", def: "1500ms", help: "least time between two sends to one chat (jitter is added)", accepts: "a duration such as 1500ms"}, s, g)
	s, g = duration(func(c *Config) *time.Duration { return &c.GlobalInterval })
	add(field{env: "INCUBOT_GLOBAL_INTERVAL", def: "400ms", help: "least time between any two sends of the account", accepts: "a duration such as 400ms"}, s, g)
	s, g = duration(func(c *Config) *time.Duration { return &c.MaxMessageAge })
	add(field{env: "INCUBOT_MAX_MESSAGE_AGE", def: "5m", help: "older messages (e.g. replayed after a login) are recorded but not answered", accepts: "a duration such as 5m"}, s, g)
	s, g = duration(func(c *Config) *time.Duration { return &c.HandlingLease })
	add(field{env: "INCUBOT_HANDLING_LEASE", def: "2m", help: "how long one handler holds a message; one left unfinished by a crash is handled again after it", accepts: "a duration such as 2m"}, s, g)
	s, g = duration(func(c *Config) *time.Duration { return &c.ContextTTL })
	add(field{env: "INCUBOT_CONTEXT_TTL", def: "10m", help: "how long a follow-up question stays within the previous topic", accepts: "a duration such as 10m"}, s, g)
	s, g = duration(func(c *Config) *time.Duration { return &c.FormTTL })
	add(field{env: "INCUBOT_FORM_TTL", def: "30m", help: "how long an unfinished report or confirmation waits for the next reply", accepts: "a duration such as 30m"}, s, g)
	s, g = integer(func(c *Config) *int { return &c.MaxMessageLen }, 10)
	add(field{env: "INCUBOT_MAX_MESSAGE_LEN", def: "500", help: "longest question (characters) the bot answers; longer ones get a request to shorten", accepts: "a whole number ≥ 10"}, s, g)
	s, g = str(func(c *Config) *string { return &c.WeChatQRFile })
	add(field{env: "INCUBOT_WECHAT_QR_FILE", def: ".incubot/wechat-login.png", help: "PNG of the WeChat login QR code, for headless servers"}, s, g)
	s, g = list(func(c *Config) *[]string { return &c.WeChatNotify })
	add(field{env: "INCUBOT_WECHAT_NOTIFY", help: "comma-separated contact names (remark or nickname) told when the WeChat login is lost"}, s, g)
	add(field{env: "INCUBOT_MAX_FILE_SIZE", def: "20971520", help: "largest document or spreadsheet accepted, in bytes", accepts: "a whole number of bytes ≥ 1024"}, func(c *Config, v string) error {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 1024 {
			return errInvalid
		}
		c.MaxUploadSize = n
		return nil
	}, func(c *Config) string { return strconv.FormatInt(c.MaxUploadSize, 10) })
	s, g = str(func(c *Config) *string { return &c.WeComBotID })
	add(field{env: "INCUBOT_WECOM_BOT_ID", help: "Bot ID of the WeCom smart bot (API mode, long connection); set: serve answers there"}, s, g)
	s, g = str(func(c *Config) *string { return &c.WeComSecret })
	add(field{env: "INCUBOT_WECOM_SECRET", secret: true, help: "Secret of the WeCom smart bot (INCUBOT_WECOM_SECRET_FILE reads it from a file)"}, s, g)
	s, g = str(func(c *Config) *string { return &c.WeComURL })
	add(field{env: "INCUBOT_WECOM_URL", def: "wss://openws.work.weixin.qq.com", help: "the smart bot's long-connection gateway"}, s, g)
	add(field{env: "INCUBOT_WECOM_MAX_MEDIA", def: "20971520", help: "largest image or file taken from the smart bot, in bytes", accepts: "a whole number of bytes ≥ 1024"}, func(c *Config, v string) error {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 1024 {
			return errInvalid
		}
		c.WeComMaxMedia = n
		return nil
	}, func(c *Config) string { return strconv.FormatInt(c.WeComMaxMedia, 10) })
	s, g = str(func(c *Config) *string { return &c.KFCorpID })
	add(field{env: "INCUBOT_KF_CORP_ID", help: "CorpID of the bureau's WeCom for 微信客服; set: serve reads and answers its messages (needs INCUBOT_HTTP_ADDR for the callback URL /wecom/kf)"}, s, g)
	s, g = str(func(c *Config) *string { return &c.KFSecret })
	add(field{env: "INCUBOT_KF_SECRET", secret: true, help: "Secret of the app allowed to call 微信客服 (INCUBOT_KF_SECRET_FILE reads it from a file)"}, s, g)
	s, g = str(func(c *Config) *string { return &c.KFToken })
	add(field{env: "INCUBOT_KF_TOKEN", secret: true, help: "Token of the 微信客服 callback URL (INCUBOT_KF_TOKEN_FILE reads it from a file)"}, s, g)
	s, g = str(func(c *Config) *string { return &c.KFAESKey })
	add(field{env: "INCUBOT_KF_AES_KEY", secret: true, help: "EncodingAESKey of the 微信客服 callback URL, 43 characters (INCUBOT_KF_AES_KEY_FILE reads it from a file)"}, s, g)
	return fs
}

// InvalidError names the variable whose value was refused and what it accepts.
type InvalidError struct {
	Var, Value, Accepts string
}

func (e *InvalidError) Error() string {
	if e.Accepts == "" {
		return fmt.Sprintf("config: %s=%q is not valid", e.Var, e.Value)
	}
	return fmt.Sprintf("config: %s=%q is not valid; accepted: %s", e.Var, e.Value, e.Accepts)
}

// Load builds the configuration from defaults, the environment (getenv), and
// the file named by INCUBOT_CONFIG_FILE (KEY=VALUE lines), in that order, then
// validates it.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{}
	fs := fields()
	for _, f := range fs {
		if err := f.set(c, f.def); err != nil {
			return nil, fmt.Errorf("config: default of %s: %w", f.env, err)
		}
	}
	apply := func(f field, name, v string) error {
		if err := f.set(c, v); err != nil {
			shown := v
			if f.secret {
				shown = mask(v)
			}
			return &InvalidError{Var: name, Value: shown, Accepts: f.accepts}
		}
		return nil
	}
	for _, f := range fs {
		for _, name := range []string{f.alias, f.env} {
			if name == "" {
				continue
			}
			if v, ok := lookup(getenv, name); ok {
				if err := apply(f, name, v); err != nil {
					return nil, err
				}
			}
			if f.secret {
				if path := getenv(name + "_FILE"); path != "" {
					b, err := os.ReadFile(path)
					if err != nil {
						return nil, fmt.Errorf("config: %s_FILE: %w", name, err)
					}
					if err := apply(f, name+"_FILE", strings.TrimSpace(string(b))); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	if path := getenv("INCUBOT_CONFIG_FILE"); path != "" {
		file, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("config: INCUBOT_CONFIG_FILE: %w", err)
		}
		defer file.Close()
		kv, err := parseFile(file)
		if err != nil {
			return nil, fmt.Errorf("config: %s: %w", path, err)
		}
		for _, f := range fs {
			for _, name := range []string{f.alias, f.env} {
				if v, ok := kv[name]; ok && name != "" {
					if err := apply(f, name, v); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

// parseFile reads KEY=VALUE lines; blank lines and # comments are skipped and
// values may be quoted.
func parseFile(r io.Reader) (map[string]string, error) {
	kv := map[string]string{}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want KEY=VALUE", n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		kv[strings.TrimSpace(k)] = v
	}
	return kv, sc.Err()
}

// Validate checks combinations that single values cannot.
func (c *Config) Validate() error {
	if (c.EmbedBaseURL == "") != (c.EmbedModel == "") {
		return &InvalidError{Var: "INCUBOT_EMBED_MODEL", Value: c.EmbedModel, Accepts: "set both INCUBOT_EMBED_BASE_URL and INCUBOT_EMBED_MODEL, or neither"}
	}
	if (c.ChatBaseURL == "") != (c.ChatModel == "") {
		return &InvalidError{Var: "INCUBOT_CHAT_MODEL", Value: c.ChatModel, Accepts: "set both INCUBOT_CHAT_BASE_URL and INCUBOT_CHAT_MODEL, or neither"}
	}
	for _, u := range []struct{ name, v string }{{"INCUBOT_EMBED_BASE_URL", c.EmbedBaseURL}, {"INCUBOT_CHAT_BASE_URL", c.ChatBaseURL}} {
		if u.v == "" {
			continue
		}
		p, err := url.Parse(u.v)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return &InvalidError{Var: u.name, Value: u.v, Accepts: "an http:// or https:// URL ending in the API root, e.g. https://api.deepseek.com/v1"}
		}
	}
	if c.EmbedDimensions > 2000 {
		return &InvalidError{Var: "INCUBOT_EMBED_DIMENSIONS", Value: strconv.Itoa(c.EmbedDimensions), Accepts: "a whole number from 0 to 2000 (the HNSW index limit)"}
	}
	if c.DBMaxConns > 1000 {
		return &InvalidError{Var: "INCUBOT_DB_MAX_CONNS", Value: strconv.Itoa(c.DBMaxConns), Accepts: "a whole number from 0 to 1000"}
	}
	if c.DevDBPort > 65535 {
		return &InvalidError{Var: "INCUBOT_DEVDB_PORT", Value: strconv.Itoa(c.DevDBPort), Accepts: "a port number, 0 for any free port"}
	}
	if c.HTTPAddr != "" && c.HTTPToken == "" {
		return &InvalidError{Var: "INCUBOT_HTTP_TOKEN", Value: "", Accepts: "a token of at least 16 characters whenever INCUBOT_HTTP_ADDR is set"}
	}
	if (c.WeComBotID == "") != (c.WeComSecret == "") {
		return &InvalidError{Var: "INCUBOT_WECOM_SECRET", Value: mask(c.WeComSecret), Accepts: "set both INCUBOT_WECOM_BOT_ID and INCUBOT_WECOM_SECRET (or _FILE), or neither"}
	}
	if p, err := url.Parse(c.WeComURL); c.WeComURL != "" && (err != nil || (p.Scheme != "wss" && p.Scheme != "ws") || p.Host == "") {
		return &InvalidError{Var: "INCUBOT_WECOM_URL", Value: c.WeComURL, Accepts: "a wss:// URL, e.g. wss://openws.work.weixin.qq.com"}
	}
	if c.KFCorpID != "" && (c.KFSecret == "" || c.KFToken == "" || len(c.KFAESKey) != 43) {
		return &InvalidError{Var: "INCUBOT_KF_AES_KEY", Value: mask(c.KFAESKey), Accepts: "with INCUBOT_KF_CORP_ID set: INCUBOT_KF_SECRET, INCUBOT_KF_TOKEN and the 43-character INCUBOT_KF_AES_KEY (or their _FILE variants)"}
	}
	if c.KFCorpID != "" && c.HTTPAddr == "" {
		return &InvalidError{Var: "INCUBOT_HTTP_ADDR", Value: "", Accepts: "an address for the HTTP API whenever INCUBOT_KF_CORP_ID is set: WeCom calls /wecom/kf there"}
	}
	if c.HTTPToken != "" && len(c.HTTPToken) < 16 {
		return &InvalidError{Var: "INCUBOT_HTTP_TOKEN", Value: mask(c.HTTPToken), Accepts: "a token of at least 16 characters"}
	}
	return nil
}

// TodayDate is the date documents are checked against.
func (c *Config) TodayDate() time.Time {
	if c.Today != "" {
		t, _ := time.Parse(time.DateOnly, c.Today)
		return t
	}
	now := time.Now()
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

// Fallback is the reply for a question the corpus does not cover.
func (c *Config) Fallback() string {
	return strings.NewReplacer("{office}", c.ContactOffice, "{phone}", c.ContactPhone).Replace(c.FallbackText)
}

// Setting is one row of the effective configuration, secrets masked.
type Setting struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Default string `json:"default"`
	Help    string `json:"help"`
}

// Effective lists every setting with its value; secrets are masked.
func (c *Config) Effective() []Setting {
	var out []Setting
	for _, f := range fields() {
		v := f.get(c)
		if f.secret {
			v = mask(v)
			if f.env == "INCUBOT_DATABASE_URL" {
				v = RedactURL(c.DatabaseURL)
			}
		}
		out = append(out, Setting{Name: f.env, Value: v, Default: f.def, Help: f.help})
	}
	return out
}

func mask(v string) string {
	if v == "" {
		return ""
	}
	return "********"
}

// RedactURL hides the password of a connection URL.
func RedactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "********"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Secrets returns the secret values in use, for redacting logs.
func (c *Config) Secrets() []string {
	var out []string
	for _, v := range []string{c.EmbedAPIKey, c.ChatAPIKey, c.HTTPToken} {
		if v != "" {
			out = append(out, v)
		}
	}
	if u, err := url.Parse(c.DatabaseURL); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			out = append(out, p)
		}
	}
	return out
}
