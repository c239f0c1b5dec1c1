// Package qrcode draws QR codes as PNG images, for the check-in projector page
// and for certificates.
package qrcode

import (
	"bytes"
	"fmt"
	"image/png"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// PNG encodes content as a square QR code of size pixels, with medium error
// correction (a projector seen from the back of a room, a phone held at an angle).
func PNG(content string, size int) ([]byte, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	scaled, err := barcode.Scale(code, size, size)
	if err != nil {
		return nil, fmt.Errorf("scale QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, scaled); err != nil {
		return nil, fmt.Errorf("write QR code PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// Modules encodes content as PNG does (error correction level M) and returns
// the code's grid: n modules a side, dark(x, y) for the module in column x and
// row y. A PDF draws them as filled squares: no image to encode and decode,
// and sharp at any zoom.
func Modules(content string) (n int, dark func(x, y int) bool, err error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return 0, nil, fmt.Errorf("encode QR code: %w", err)
	}
	n = code.Bounds().Dx()
	return n, func(x, y int) bool {
		r, _, _, _ := code.At(x, y).RGBA()
		return r == 0
	}, nil
}
