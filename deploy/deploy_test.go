package deploy

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite nginx.conf and docker-compose.yml from their templates")

// TestShipped_FilesUpToDate: the committed files are what the templates give
// with the Shipped settings, so the compose example and the tested nginx
// configuration come from one place.
func TestShipped_FilesUpToDate(t *testing.T) {
	for file, render := range map[string]func(Cluster) ([]byte, error){"nginx.conf": Nginx, "docker-compose.yml": Compose} {
		want, err := render(Shipped)
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(file, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("deploy/%s is not what its template gives: edit the template and run go test ./deploy -update", file)
		}
	}
}

var upstreamServer = regexp.MustCompile(`(?m)^\s*server\s+(\S+):(\d+)\s`)

// composeFile is the part of docker-compose.yml checked against nginx.conf.
type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Ports       []string          `yaml:"ports"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		Networks yaml.Node `yaml:"networks"`
	} `yaml:"services"`
}

// TestCompose_AgreesWithNginx reads the two committed files as an operator's
// tools would: every upstream nginx names is a compose service listening on
// that port, with the same database and keys as the others, a health check, and
// nginx as its only trusted proxy; nginx mounts this nginx.conf.
func TestCompose_AgreesWithNginx(t *testing.T) {
	conf, err := os.ReadFile("nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(raw, &cf); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	ups := upstreamServer.FindAllStringSubmatch(string(conf), -1)
	if len(ups) < 2 {
		t.Fatalf("nginx.conf names %d upstream servers, want several", len(ups))
	}
	ngx, ok := cf.Services["nginx"]
	if !ok {
		t.Fatal("docker-compose.yml has no nginx service")
	}
	if !contains(ngx.Volumes, "./nginx.conf:/etc/nginx/nginx.conf:ro") {
		t.Errorf("the nginx service does not mount ./nginx.conf: %v", ngx.Volumes)
	}
	listen := regexp.MustCompile(`(?m)^\s*listen\s+(\d+);`).FindStringSubmatch(string(conf))
	if listen == nil || len(ngx.Ports) != 1 || !strings.HasSuffix(ngx.Ports[0], ":"+listen[1]) {
		t.Errorf("nginx publishes %v, its configuration listens on %v", ngx.Ports, listen)
	}
	var nginxNet struct {
		Lectern struct {
			IP string `yaml:"ipv4_address"`
		} `yaml:"lectern"`
	}
	if err := ngx.Networks.Decode(&nginxNet); err != nil || nginxNet.Lectern.IP == "" {
		t.Fatalf("nginx has no fixed address on the lectern network (%v)", err)
	}
	var dsn, data string
	for _, u := range ups {
		name, port := u[1], u[2]
		s, ok := cf.Services[name]
		if !ok {
			t.Errorf("nginx sends requests to %s, which is not a compose service", name)
			continue
		}
		env := s.Environment
		if env["LECTERN_ADDR"] != ":"+port {
			t.Errorf("%s listens on %q, nginx sends to port %s", name, env["LECTERN_ADDR"], port)
		}
		if env["LECTERN_TRUSTED_PROXIES"] != nginxNet.Lectern.IP+"/32" {
			t.Errorf("%s trusts %q, nginx is %s", name, env["LECTERN_TRUSTED_PROXIES"], nginxNet.Lectern.IP)
		}
		if !strings.HasPrefix(env["LECTERN_DATABASE_URL"], "postgres://") || env["LECTERN_BASE_URL"] == "" {
			t.Errorf("%s: database %q, base URL %q", name, env["LECTERN_DATABASE_URL"], env["LECTERN_BASE_URL"])
		}
		if dsn == "" {
			dsn, data = env["LECTERN_DATABASE_URL"], env["LECTERN_DATA"]
		}
		if env["LECTERN_DATABASE_URL"] != dsn || env["LECTERN_DATA"] != data || !contains(s.Volumes, "lectern-keys:"+data) {
			t.Errorf("%s does not share the database and key files of the others: %v %v", name, env, s.Volumes)
		}
		if got := strings.Join(s.Healthcheck.Test, " "); !strings.Contains(got, "127.0.0.1:"+port+"/healthz") {
			t.Errorf("%s health check %q does not ask /healthz on its port", name, got)
		}
	}
}

// TestNginx_WhatTheClusterTestReliesOn: the directives the three-process test
// (and the README) count on are in the shipped file.
func TestNginx_WhatTheClusterTestReliesOn(t *testing.T) {
	conf, err := os.ReadFile("nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{
		"keepalive 64;",
		"proxy_http_version 1.1;",
		`proxy_set_header Connection "";`,
		"proxy_set_header Host $host;",
		"proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
		"proxy_next_upstream error timeout http_502 http_503;",
		"upstream=$upstream_addr",
		"client_max_body_size 2m;",
	} {
		if !bytes.Contains(conf, []byte(d)) {
			t.Errorf("nginx.conf lacks %s", d)
		}
	}
}

// TestNginx_Accepted: nginx itself accepts the configuration as the test
// renders it (nginx -t), when nginx is installed; under CI it must be.
func TestNginx_Accepted(t *testing.T) {
	bin, err := NginxPath()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v: CI installs it (.ci/run)", err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	c := Cluster{Listen: "127.0.0.1:1", Upstreams: []Upstream{{"127.0.0.1", 2}, {"127.0.0.1", 3}}, RunDir: dir}
	conf, err := Nginx(c)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(file, conf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-t", "-q", "-c", file, "-e", filepath.Join(dir, "error.log")).CombinedOutput()
	if err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
