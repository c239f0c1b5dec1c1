// Package paper prints what a session needs on paper: a quiz's question sheet
// and answer key (quiz.go, htmltext.go) for a room without devices, and the
// officers' sign-in slips (slips.go). It only lays out and draws, with fonts
// from package typeset and QR codes from package qrcode; what is printed, and
// recording that it was, are the domain packages' decisions (attempt.PaperQuiz,
// schedule.SlipRoster, auth.InviteForSlips). The certificate is certify's: it is
// signed, and its bytes are part of what is verified.
package paper

// Colours shared by every printed page.
var (
	navy  = [3]int{22, 43, 77}
	grey  = [3]int{90, 96, 108}
	black = [3]int{20, 20, 20}
	red   = [3]int{170, 20, 20}
)
