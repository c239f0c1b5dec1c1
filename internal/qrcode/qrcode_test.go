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

// Modules is the grid PNG draws: each module's centre pixel in the PNG is dark
// exactly where Modules says so.
func TestModules_MatchThePNG(t *testing.T) {
	const content, size = "https://lectern.example.org/verify/K7QW2M9XPD4TRV8H", 256
	n, dark, err := Modules(content)
	if err != nil {
		t.Fatal(err)
	}
	data, err := PNG(content, size)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	scale := size / n
	offset := (size - n*scale) / 2
	darkModules := 0
	for y := range n {
		for x := range n {
			r, _, _, _ := img.At(offset+x*scale+scale/2, offset+y*scale+scale/2).RGBA()
			if (r == 0) != dark(x, y) {
				t.Fatalf("module (%d, %d): PNG dark %v, Modules %v", x, y, r == 0, dark(x, y))
			}
			if dark(x, y) {
				darkModules++
			}
		}
	}
	if n < 21 || darkModules < n*n/4 {
		t.Errorf("%d modules a side, %d dark: not a QR code", n, darkModules)
	}
}
