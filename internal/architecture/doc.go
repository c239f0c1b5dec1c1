// Package architecture holds no code of its own: its test checks that imports
// between Lectern's packages run one way (cmd → web → domain → store), so that a
// shortcut from a handler into the database fails the build's tests instead of a
// review.
package architecture
