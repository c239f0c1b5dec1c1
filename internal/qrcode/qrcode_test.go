package qrcode

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPNG_DecodesBack(t *testing.T) {
	const content = "https://training.example.org/sessions/42/checkin?code=123456"
	data, err := PNG(content, 256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != 256 {
		t.Fatalf("not a 256 px PNG: %v", err)
	}
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg (zbar-tools) must be installed in CI")
		}
		t.Skip("zbarimg not installed")
	}
	file := filepath.Join(t.TempDir(), "qr.png")
	os.WriteFile(file, data, 0o644)
	out, err := exec.Command(zbar, "--quiet", "--raw", file).Output()
	if err != nil || strings.TrimSpace(string(out)) != content {
		t.Errorf("zbarimg read %q (%v), want %q", out, err, content)
	}
}
