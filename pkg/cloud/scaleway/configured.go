package scaleway

import (
	"fmt"
	"strings"

	"github.com/scaleway/scaleway-sdk-go/scw"
)

// NotConfiguredError says that the scw profile and the SCW_* environment miss what every API
// call needs; it names what is missing and how to provide it. It is found without any network
// I/O (CheckConfigured).
type NotConfiguredError struct {
	// Missing names the variables that are unset (and absent from the profile).
	Missing []string
	// ConfigPath is the scw config file that was read (or looked for).
	ConfigPath string
}

func (e *NotConfiguredError) Error() string {
	return fmt.Sprintf("no Scaleway credentials: %s not set, neither in the environment nor in the profile of %s.\n"+
		"Set SCW_ACCESS_KEY, SCW_SECRET_KEY and SCW_DEFAULT_PROJECT_ID, or write a profile to %s (`scw init`; SCW_CONFIG_PATH and SCW_PROFILE choose another).\n"+
		"To try without an account, start the emulator (`reconciler emulator`, listening on 127.0.0.1:8081) and point at it with fake, well-formed values:\n"+
		"  SCW_API_URL=http://127.0.0.1:8081 SCW_ACCESS_KEY=SCWXXXXXXXXXXXXXXXXX SCW_SECRET_KEY=11111111-1111-4111-8111-111111111111 "+
		"SCW_DEFAULT_PROJECT_ID=11111111-1111-4111-8111-111111111111 reconciler plan --repo .",
		strings.Join(e.Missing, ", "), e.ConfigPath, e.ConfigPath)
}

// CheckConfigured reads the profile New would use (the scw config file under the SCW_*
// environment, c layered over both when not nil) and returns a *NotConfiguredError when the
// access key, the secret key or the default project is missing. It makes no network request:
// commands call it first, so a machine without credentials fails at once with the hint instead
// of reaching for the real endpoint.
func CheckConfigured(c *Credentials) error {
	profile, err := loadProfile()
	if err != nil {
		return err
	}
	var missing []string
	check := func(name string, profileValue *string, explicit string) {
		if deref(profileValue) == "" && explicit == "" {
			missing = append(missing, name)
		}
	}
	var creds Credentials
	if c != nil {
		creds = *c
	}
	check("SCW_ACCESS_KEY", profile.AccessKey, creds.AccessKey)
	check("SCW_SECRET_KEY", profile.SecretKey, creds.SecretKey)
	check("SCW_DEFAULT_PROJECT_ID", profile.DefaultProjectID, creds.ProjectID)
	if len(missing) == 0 {
		return nil
	}
	return &NotConfiguredError{Missing: missing, ConfigPath: scw.GetConfigPath()}
}
