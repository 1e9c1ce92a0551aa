package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// stdinName is how messages name standard input.
const stdinName = "<stdin>"

// inputFile is one input document file.
type inputFile struct {
	// Name is the path as given (or stdinName); messages use it.
	Name string
	Data []byte
}

// fromStdin reports whether the file was read from standard input.
func (f inputFile) fromStdin() bool { return f.Name == stdinName }

// baseName is the file name without directory and extension, the default
// for names a document lacks ("" for stdin).
func (f inputFile) baseName() string {
	if f.fromStdin() {
		return ""
	}
	base := filepath.Base(f.Name)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// readInputs reads the -f arguments: files, "-" for standard input (at
// most once), and directories (their *.json files, sorted, not
// recursive). Unreadable arguments are returned as problems; the rest are
// still read.
func readInputs(names []string, stdin io.Reader) ([]inputFile, []problem) {
	var files []inputFile
	var problems []problem
	stdinRead := false
	for _, name := range names {
		if name == "-" {
			if stdinRead {
				problems = append(problems, problem{file: stdinName, severity: severityError, message: "standard input (-) given more than once"})
				continue
			}
			stdinRead = true
			data, err := io.ReadAll(stdin)
			if err != nil {
				problems = append(problems, problem{file: stdinName, severity: severityError, message: err.Error()})
				continue
			}
			files = append(files, inputFile{Name: stdinName, Data: data})
			continue
		}
		info, err := os.Stat(name)
		if err != nil {
			problems = append(problems, problem{file: name, severity: severityError, message: plainFileError(err)})
			continue
		}
		paths := []string{name}
		if info.IsDir() {
			paths, err = filepath.Glob(filepath.Join(name, "*.json"))
			if err != nil || len(paths) == 0 {
				problems = append(problems, problem{file: name, severity: severityError, message: "directory has no *.json files"})
				continue
			}
			sort.Strings(paths)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				problems = append(problems, problem{file: p, severity: severityError, message: plainFileError(err)})
				continue
			}
			files = append(files, inputFile{Name: p, Data: data})
		}
	}
	return files, problems
}

func plainFileError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return fmt.Sprint(err)
}
