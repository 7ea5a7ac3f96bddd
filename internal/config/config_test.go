package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "" || c.BotName != "小助手" || c.ContextTTL != 10*time.Minute || c.MaxMessageLen != 500 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestLoadOrderEnvThenFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "incubot.env")
	os.WriteFile(file, []byte("# comment\nINCUBOT_BOT_NAME=\"政策助手\"\nINCUBOT_CONTACT_PHONE=0771-1234567\n"), 0o600)
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte("sk-from-file\n"), 0o600)
	c, err := Load(env(map[string]string{
		"DATABASE_URL":              "postgres://u:secretpw@db:5432/incubot",
		"INCUBOT_BOT_NAME":          "环境名",
		"INCUBOT_CONFIG_FILE":       file,
		"INCUBOT_CHAT_BASE_URL":     "http://127.0.0.1:1/v1",
		"INCUBOT_CHAT_MODEL":        "deepseek-chat",
		"INCUBOT_CHAT_API_KEY_FILE": keyFile,
		"INCUBOT_GROUPS":            "区科技企业服务群，孵化器群",
		"INCUBOT_HOME_PLACE":        "南宁市，广西壮族自治区",
		"INCUBOT_MAX_MESSAGE_AGE":   "2m",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.BotName != "政策助手" {
		t.Errorf("file should override env: %q", c.BotName)
	}
	if c.ChatAPIKey != "sk-from-file" {
		t.Errorf("_FILE secret: %q", c.ChatAPIKey)
	}
	if strings.Join(c.HomePlaces, ",") != "南宁,广西" {
		t.Errorf("home places are written short: %q", c.HomePlaces)
	}
	if len(c.Groups) != 2 || c.Groups[1] != "孵化器群" {
		t.Errorf("groups: %q", c.Groups)
	}
	if c.DatabaseURL == "" || c.MaxMessageAge != 2*time.Minute {
		t.Errorf("env: %+v", c)
	}
}

func TestInvalidValuesNameTheVariable(t *testing.T) {
	cases := []struct {
		env      map[string]string
		variable string
		accepts  string
	}{
		{map[string]string{"INCUBOT_LOG_FORMAT": "xml"}, "INCUBOT_LOG_FORMAT", "text, json"},
		{map[string]string{"INCUBOT_CONTEXT_TTL": "ten minutes"}, "INCUBOT_CONTEXT_TTL", "duration"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL", "postgres://"},
		{map[string]string{"INCUBOT_TODAY": "2026/01/01"}, "INCUBOT_TODAY", "YYYY-MM-DD"},
		{map[string]string{"INCUBOT_HOME_PLACE": "南宁市,XX区"}, "INCUBOT_HOME_PLACE", "南宁 or 广西"},
		{map[string]string{"INCUBOT_CHAT_BASE_URL": "http://x/v1"}, "INCUBOT_CHAT_MODEL", "neither"},
		{map[string]string{"INCUBOT_EMBED_DIMENSIONS": "4096"}, "INCUBOT_EMBED_DIMENSIONS", "2000"},
		{map[string]string{"INCUBOT_HTTP_ADDR": ":8080"}, "INCUBOT_HTTP_TOKEN", "16"},
	}
	for _, tc := range cases {
		t.Run(tc.variable, func(t *testing.T) {
			_, err := Load(env(tc.env))
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("want InvalidError, got %v", err)
			}
			if ie.Var != tc.variable || !strings.Contains(err.Error(), tc.accepts) {
				t.Fatalf("error %q should name %s and %q", err, tc.variable, tc.accepts)
			}
		})
	}
}

func TestEffectiveMasksSecrets(t *testing.T) {
	c, err := Load(env(map[string]string{
		"DATABASE_URL":          "postgres://incubot:hunter2pass@db:5432/incubot",
		"INCUBOT_CHAT_BASE_URL": "https://api.example.com/v1",
		"INCUBOT_CHAT_MODEL":    "m",
		"INCUBOT_CHAT_API_KEY":  "sk-verysecretkey",
		"INCUBOT_HTTP_ADDR":     "127.0.0.1:8080",
		"INCUBOT_HTTP_TOKEN":    "tok-0123456789abcdef",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, s := range c.Effective() {
		all.WriteString(s.Name + "=" + s.Value + "\n")
	}
	out := all.String()
	for _, secret := range []string{"hunter2pass", "sk-verysecretkey", "tok-0123456789abcdef"} {
		if strings.Contains(out, secret) {
			t.Errorf("effective config shows %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "INCUBOT_DATABASE_URL=postgres://incubot:xxxxx@db:5432/incubot") {
		t.Errorf("database URL should show with the password masked:\n%s", out)
	}
	if !strings.Contains(out, "INCUBOT_CHAT_MODEL=m") {
		t.Errorf("non-secret values should show:\n%s", out)
	}
}
