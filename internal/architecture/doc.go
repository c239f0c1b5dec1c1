// Package architecture holds no code of its own. Its tests check that imports
// between Lectern's packages run one way (cmd → web → domain → store), so that a
// shortcut from a handler into the database fails the build's tests instead of a
// review; and that web holds no value of a store type even through a domain
// package (a method returning a row, a view with a row in an exported field):
// domain packages hand web their own types, so a column is never part of a page
// or the API by accident.
package architecture
