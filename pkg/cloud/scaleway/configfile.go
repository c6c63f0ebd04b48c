package scaleway

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/scaleway/scaleway-sdk-go/scw"
	yaml "gopkg.in/yaml.v2"
)

// warnOut receives the config file's permission warning (stderr: stdout holds `-o json`),
// once per file and process.
var (
	warnOut io.Writer = os.Stderr
	warned  sync.Map
)

// loadConfig is scw.LoadConfig (the same path, its .yml fallback, the same YAML decoding, a
// *scw.ConfigFileNotFoundError when absent) except that the warning about a config file readable
// by others goes to warnOut: the SDK prints it on stdout, which must hold only the JSON document.
func loadConfig() (*scw.Config, error) {
	path := scw.GetConfigPath()
	cfg, err := loadConfigFrom(path)
	var notFound *scw.ConfigFileNotFoundError
	if os.Getenv(scw.ScwConfigPathEnv) == "" && errors.As(err, &notFound) && strings.HasSuffix(path, ".yaml") {
		yml, ymlErr := loadConfigFrom(strings.TrimSuffix(path, ".yaml") + ".yml")
		if ymlErr == nil || !errors.As(ymlErr, &notFound) {
			return yml, ymlErr
		}
	}
	return cfg, err
}

func loadConfigFrom(path string) (*scw.Config, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return scw.LoadConfigFromPath(path) // the SDK's typed not-found error
	}
	if err != nil {
		return nil, err
	}
	if _, done := warned.LoadOrStore(path, true); !done && info.Mode().Perm() != 0o600 {
		fmt.Fprintf(warnOut, "warning: the Scaleway config file %s is readable by others: chmod 0600 %s\n", path, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read config file: %w", err)
	}
	var cfg scw.Config
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("content of config file %s is invalid: %w", path, err)
	}
	return &cfg, nil
}
