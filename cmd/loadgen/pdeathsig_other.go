//go:build !linux

package main

import "os/exec"

// setParentDeathSignal has no portable equivalent outside Linux; loadgen still
// stops the server itself on every normal or aborted exit.
func setParentDeathSignal(*exec.Cmd) {}
