// Package deploy holds the nginx configuration Lectern ships for several
// processes on PostgreSQL, and the docker-compose example built around it. Both
// are rendered from templates here with one set of settings (Shipped), so they
// cannot drift apart; the three-process test renders the same nginx template
// with its own loopback ports and temporary paths.
package deploy

import (
	"bytes"
	"embed"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"text/template"
)

//go:embed nginx.conf.tmpl docker-compose.yml.tmpl
var templates embed.FS

var tmpl = template.Must(template.ParseFS(templates, "*.tmpl"))

// Upstream is one `lectern serve` process nginx sends requests to.
type Upstream struct {
	Host string // a compose service name, or 127.0.0.1 in the test
	Port int
}

func (u Upstream) String() string { return net.JoinHostPort(u.Host, strconv.Itoa(u.Port)) }

// Cluster is what differs between the shipped files and the test's.
type Cluster struct {
	Listen    string // nginx's listen directive: "80", or "127.0.0.1:PORT"
	Upstreams []Upstream
	// RunDir, when set, holds nginx's pid file, logs and temporary files (the
	// test runs nginx unprivileged); empty: nginx's own paths (the container).
	RunDir string
	// User, when set, is the user nginx's workers run as if started by root
	// (the test: its own user, so they can write the temporary files under
	// RunDir that a request body over 16 KB needs); empty: nginx's default.
	User string

	// Compose only.
	PublishedPort int    // the host port nginx is published on
	ProxyIP       string // nginx's fixed address: the only trusted proxy
	Subnet        string // the compose network that address is in
}

// Shipped is the cluster of deploy/nginx.conf and deploy/docker-compose.yml.
var Shipped = Cluster{
	Listen: "80",
	Upstreams: []Upstream{
		{Host: "lectern1", Port: 8080},
		{Host: "lectern2", Port: 8080},
		{Host: "lectern3", Port: 8080},
	},
	PublishedPort: 8080,
	ProxyIP:       "172.28.0.10",
	Subnet:        "172.28.0.0/24",
}

// Nginx renders the nginx configuration for c.
func Nginx(c Cluster) ([]byte, error) { return render("nginx.conf.tmpl", c) }

// Compose renders the docker-compose file for c.
func Compose(c Cluster) ([]byte, error) { return render("docker-compose.yml.tmpl", c) }

func render(name string, c Cluster) ([]byte, error) {
	if len(c.Upstreams) == 0 {
		return nil, fmt.Errorf("render %s: no upstream", name)
	}
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, name, c); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// NginxPath finds the nginx binary: on the PATH, else Debian's /usr/sbin/nginx
// (not on an unprivileged user's PATH there).
func NginxPath() (string, error) {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p, nil
	}
	const debian = "/usr/sbin/nginx"
	if _, err := os.Stat(debian); err != nil {
		return "", fmt.Errorf("nginx is not installed (Debian: apt-get install nginx)")
	}
	return debian, nil
}
