package wecom

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
)

// ErrTooLarge is a media file over the size limit; nothing past the limit
// was read.
var ErrTooLarge = errors.New("wecom: media file over the size limit")

// Download fetches an image or file of a message and decrypts it with the
// message's own key (AES-256-CBC, the IV the key's first 16 bytes, PKCS#7
// padding to 32 bytes). It reads at most max bytes of ciphertext and returns
// the plain bytes and the file name WeCom gives, if any.
func Download(ctx context.Context, client *http.Client, url, aesKey string, max int64) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", fmt.Errorf("wecom: media url: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("wecom: download media: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("wecom: download media: HTTP %d", resp.StatusCode)
	}
	if resp.ContentLength > max+32 {
		return nil, "", ErrTooLarge
	}
	enc, err := io.ReadAll(io.LimitReader(resp.Body, max+33))
	if err != nil {
		return nil, "", fmt.Errorf("wecom: download media: %w", err)
	}
	if int64(len(enc)) > max+32 {
		return nil, "", ErrTooLarge
	}
	plain, err := Decrypt(enc, aesKey)
	if err != nil {
		return nil, "", err
	}
	if int64(len(plain)) > max {
		return nil, "", ErrTooLarge
	}
	return plain, fileName(resp.Header.Get("Content-Disposition")), nil
}

// Decrypt decrypts a media file with its base64 key.
func Decrypt(enc []byte, aesKey string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(aesKey)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(aesKey, "="))
	}
	if err != nil || len(key) != 32 {
		return nil, errors.New("wecom: media key is not 32 bytes in base64")
	}
	if len(enc) == 0 || len(enc)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("wecom: encrypted media of %d bytes is not whole AES blocks", len(enc))
	}
	block, _ := aes.NewCipher(key)
	plain := make([]byte, len(enc))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plain, enc)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || pad > len(plain) {
		return nil, errors.New("wecom: media padding is wrong (corrupt data or wrong key)")
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, errors.New("wecom: media padding is wrong (corrupt data or wrong key)")
		}
	}
	return plain[:len(plain)-pad], nil
}

// fileName reads the file name of a Content-Disposition header, without
// any directory part.
func fileName(disposition string) string {
	_, params, err := mime.ParseMediaType(disposition)
	if err != nil {
		return ""
	}
	name := params["filename"]
	if name == "" {
		return ""
	}
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) || len(name) > 255 {
		return ""
	}
	return name
}
