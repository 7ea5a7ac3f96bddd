package kf

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
)

// ErrSignature is a callback whose signature does not match the token:
// not from WeCom, or configured with another token.
var ErrSignature = errors.New("kf: callback signature does not match")

// Crypto is WeCom's callback message crypto: msg_signature is the SHA-1 of
// token, timestamp, nonce and the encrypted text sorted and joined; the
// text is AES-256-CBC with the key from the 43-character EncodingAESKey
// (IV its first 16 bytes, PKCS#7 to 32 bytes) over 16 random bytes, the
// message length (4 bytes, big-endian), the message and the receiver id
// (the CorpID).
type Crypto struct {
	Token  string
	key    []byte
	CorpID string
}

// NewCrypto checks the EncodingAESKey and makes the crypto.
func NewCrypto(token, encodingAESKey, corpID string) (*Crypto, error) {
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("kf: EncodingAESKey must be the 43 characters shown in the WeCom admin console")
	}
	return &Crypto{Token: token, key: key, CorpID: corpID}, nil
}

// Signature is the msg_signature of an encrypted text.
func (c *Crypto) Signature(timestamp, nonce, encrypted string) string {
	parts := []string{c.Token, timestamp, nonce, encrypted}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Open checks the signature and decrypts; the receiver id must be ours.
func (c *Crypto) Open(signature, timestamp, nonce, encrypted string) ([]byte, error) {
	if subtle.ConstantTimeCompare([]byte(c.Signature(timestamp, nonce, encrypted)), []byte(signature)) != 1 {
		return nil, ErrSignature
	}
	data, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil || len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, errors.New("kf: encrypted text is not whole AES blocks in base64")
	}
	block, _ := aes.NewCipher(c.key)
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, c.key[:16]).CryptBlocks(plain, data)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || pad > len(plain) {
		return nil, errors.New("kf: bad padding")
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, errors.New("kf: decrypted text too short")
	}
	n := int(binary.BigEndian.Uint32(plain[16:20]))
	if n < 0 || 20+n > len(plain) {
		return nil, errors.New("kf: bad message length")
	}
	msg, receiver := plain[20:20+n], plain[20+n:]
	if c.CorpID != "" && string(receiver) != c.CorpID {
		return nil, errors.New("kf: the message is for another CorpID")
	}
	return msg, nil
}

// Seal encrypts a message as WeCom does (for replies to the URL check and
// for tests) and returns the base64 text.
func (c *Crypto) Seal(msg []byte) string {
	var buf bytes.Buffer
	var rnd [16]byte
	rand.Read(rnd[:])
	buf.Write(rnd[:])
	binary.Write(&buf, binary.BigEndian, uint32(len(msg)))
	buf.Write(msg)
	buf.WriteString(c.CorpID)
	pad := 32 - buf.Len()%32
	buf.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	data := buf.Bytes()
	block, _ := aes.NewCipher(c.key)
	cipher.NewCBCEncrypter(block, c.key[:16]).CryptBlocks(data, data)
	return base64.StdEncoding.EncodeToString(data)
}
