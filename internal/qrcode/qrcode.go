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
