package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/ingest/xlsx"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web/auth"
)

// multipartSlack is what the multipart envelope may add to the file itself
// (boundaries, part headers) before the request as a whole is over the cap.
const multipartSlack = 64 << 10

// ingestTimeout bounds the ingestion of one upload. It runs on after the
// client hangs up: the file has arrived, and the focal point will find the
// result in their history.
const ingestTimeout = 5 * time.Minute

// uploadReport is the answer: the same object as `vahub ingest --json`,
// plus the id of the submission it made (GET /api/v1/submissions/{id}).
type uploadReport struct {
	Files      []ingest.FileReport `json:"files"`
	Submission int64               `json:"submission,omitempty"`
}

// uploaded is what an upload attempt left, for the audit log.
type uploaded struct {
	name       string // sanitised base name, for display
	sha256     string
	size       int64
	report     *ingest.FileReport
	runID      int64
	country    string // the one country of the file (or of a one-country uploader)
	submission int64  // the submission recorded for it
}

// POST /api/v1/uploads (multipart, field "file"): a focal point's (or an
// admin's) workbook or CSV, ingested as a *submitted* report: uploads never
// feed the reporting views until an admin approves them. 200 with the
// per-file report; 422 with it when the file is rejected. Every attempt is
// audited, refused ones included.
func (s *server) upload(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	up, err := s.acceptUpload(w, r, p, "api", "")
	if err != nil {
		return err
	}
	status := http.StatusOK
	if up.report.Status == pg.FileRejected {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, uploadReport{Files: []ingest.FileReport{*up.report}, Submission: up.submission})
	return nil
}

// acceptUpload is an upload through the API or the upload page: receive
// the file, check it, ingest it as submitted, record the submission (the
// focal point's history) and audit the attempt, refusals included. kind is
// the ingest run's kind (api, web); lang the language of the page it came
// from ("" for the API), used for feedback when the file does not say.
func (s *server) acceptUpload(w http.ResponseWriter, r *http.Request, p auth.Principal, kind, lang string) (uploaded, error) {
	var up uploaded
	err := s.receive(w, r, p, kind, &up)
	if err == nil {
		if l := up.report.Language; validLang(l) {
			lang = l
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
		up.submission, err = s.db.RecordSubmission(ctx, pg.NewSubmission{
			RunID: up.runID, Country: up.country, User: p.Name, FileName: up.name, Language: lang})
		cancel()
	}
	if aerr := s.auditUpload(r, p, up, err); aerr != nil {
		if err == nil || errorCode(err) == eInternal {
			return up, aerr
		}
		s.log.Error("audit", "err", aerr) // the refusal still goes out
	}
	return up, err
}

// receive saves the upload, checks what it is and who may send it, and
// ingests it.
func (s *server) receive(w http.ResponseWriter, r *http.Request, p auth.Principal, kind string, up *uploaded) error {
	if !canAtAll(p, auth.ActUpload) {
		return errorT(eForbidden, "upload.role", p.Role)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload+multipartSlack)
	mr, err := r.MultipartReader()
	if err != nil {
		return errorT(eInvalid, "upload.not_multipart")
	}
	dir, err := os.MkdirTemp(s.opts.TempDir, "vahub-upload-*")
	if err != nil {
		return fmt.Errorf("web: upload folder: %w", err)
	}
	defer os.RemoveAll(dir)

	filePath := ""
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bodyError(err, "the multipart body is malformed")
		}
		if part.FormName() != "file" {
			if _, err := io.Copy(io.Discard, part); err != nil {
				return bodyError(err, "the multipart body is malformed")
			}
			continue
		}
		if filePath != "" {
			return errorT(eInvalid, "upload.one_file")
		}
		up.name = sanitizeName(part.FileName())
		filePath = filepath.Join(dir, up.name)
		if err := s.save(part, filePath, up); err != nil {
			return err
		}
	}
	if filePath == "" {
		return errorT(eInvalid, "upload.no_file")
	}
	if up.size == 0 {
		return errorT(eInvalid, "upload.empty")
	}
	if err := sniff(filePath); err != nil {
		return err
	}

	opts := ingest.Options{
		RunKind:      kind,
		StartedBy:    p.Name,
		ReportStatus: "submitted",
		MaxFileSize:  s.opts.MaxUpload,
		Logger:       s.log,
		Layouts:      ingest.PGLayouts(s.db),
		// A table vahub cannot map gets a draft mapping file; it must not
		// land in the server's working folder.
		MappingOut: filepath.Join(dir, ".mapping.json"),
	}
	if !auth.Can(p, auth.ActUpload, "") {
		// A scoped principal: find which country the file reports on
		// before anything is stored.
		if err := s.checkScope(r.Context(), p, filePath, opts); err != nil {
			return err
		}
		if len(p.Countries) == 1 {
			// Supplies the country to a file that states none; a file
			// stating this same country is unchanged.
			opts.Country = p.Countries[0]
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), ingestTimeout)
	defer cancel()
	res, err := ingest.Files(ctx, s.db, []string{filePath}, opts)
	if err != nil {
		return err
	}
	if len(res.Files) != 1 {
		return fmt.Errorf("web: ingest returned %d reports for one file", len(res.Files))
	}
	fr := res.Files[0]
	fr.Path = up.name
	up.runID = res.RunID
	up.country = fr.Country
	if up.country == "" && opts.Country != "" {
		up.country = opts.Country
	}
	for i := range fr.Issues {
		fr.Issues[i].Message = strings.ReplaceAll(fr.Issues[i].Message, dir+string(filepath.Separator), "")
	}
	up.report = &fr
	return nil
}

// checkScope reads the file without storing anything and refuses it when
// it reports on a country outside p's scope, or on several countries.
func (s *server) checkScope(ctx context.Context, p auth.Principal, filePath string, opts ingest.Options) error {
	opts.DryRun = true
	fr, err := ingest.File(ctx, nil, 0, filePath, opts)
	if err != nil {
		return err
	}
	switch {
	case fr.Format == ingest.FormatSurveyKobo || fr.Format == ingest.FormatSurveyODK:
		// Interviews feed the views as soon as they are stored (there is no
		// report to approve), so only a data officer imports an export.
		return errorT(eForbidden, "upload.survey_export")
	case fr.Country != "":
		if !auth.Can(p, auth.ActUpload, fr.Country) {
			return errorT(eForbidden, "upload.other_country", fr.Country, strings.Join(p.Countries, ","))
		}
		return nil
	case fr.Status != pg.FileRejected:
		return errorT(eForbidden, "upload.several_countries")
	}
	return nil // rejected before a country was found: stored as rejected, answered 422
}

// save streams one part to path under the size cap, hashing it.
func (s *server) save(part *multipart.Part, path string, up *uploaded) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("web: save upload: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(part, s.opts.MaxUpload+1))
	if cerr := f.Close(); err == nil && cerr != nil {
		return fmt.Errorf("web: save upload: %w", cerr)
	}
	up.size = n
	if err != nil {
		return bodyError(err, "the upload was cut short")
	}
	if n > s.opts.MaxUpload {
		return errorT(eTooLarge, "upload.too_large", sizeText(s.opts.MaxUpload))
	}
	up.sha256 = hex.EncodeToString(h.Sum(nil))
	return nil
}

// bodyError: a body over the cap is too_large, another read error means the
// client sent something broken or gave up.
func bodyError(err error, msg string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errorT(eTooLarge, "upload.too_large", sizeText(mb.Limit-multipartSlack))
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return errorf(eInvalid, "%s", msg)
}

// sizeText writes a byte count for people: 25 MiB, 64 KiB.
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", (n+1023)>>10)
}

// sniff accepts an .xlsx workbook (a zip holding an Excel workbook) or text
// (CSV, in any of the encodings ingest detects), judged by the content,
// never by the name the client sent.
func sniff(filePath string) error {
	f, err := os.Open(filePath)
	if err != nil {
		return fmt.Errorf("web: sniff: %w", err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("web: sniff: %w", err)
	}
	head = head[:n]
	if xlsx.Sniff(head) == nil {
		if !isWorkbook(filePath) {
			return errorT(eUnsupported, "upload.unsupported_zip")
		}
		return nil
	}
	if bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
		return errorT(eUnsupported, "upload.unsupported_xls")
	}
	ct := http.DetectContentType(head)
	if strings.HasPrefix(ct, "text/plain") {
		return nil
	}
	return errorT(eUnsupported, "upload.unsupported_type", strings.SplitN(ct, ";", 2)[0])
}

// isWorkbook: the zip has the Open XML content-types part and an xl/ folder
// (a .docx or .ods has not).
func isWorkbook(filePath string) bool {
	z, err := zip.OpenReader(filePath)
	if err != nil {
		return false
	}
	defer z.Close()
	var types, xl bool
	for _, f := range z.File {
		types = types || f.Name == "[Content_Types].xml"
		xl = xl || strings.HasPrefix(f.Name, "xl/")
	}
	return types && xl
}

// maxNameLen bounds a stored file name, in characters.
const maxNameLen = 100

// sanitizeName keeps the base name of what the client called the file,
// for display and as the stored file's name: letters, digits, '.', '-' and
// '_' only (anything else becomes '_'), no leading dot, no folders.
func sanitizeName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError:
			b.WriteByte('_')
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.TrimLeft(b.String(), ".")
	if rs := []rune(out); len(rs) > maxNameLen {
		ext := filepath.Ext(out)
		if len([]rune(ext)) > 10 {
			ext = ""
		}
		out = string(rs[:maxNameLen-len([]rune(ext))]) + ext
	}
	if out == "" || out == "_" {
		return "upload"
	}
	return out
}

// auditUpload records the attempt: who, from where, which file, outcome.
func (s *server) auditUpload(r *http.Request, p auth.Principal, up uploaded, err error) error {
	detail := map[string]any{"size": up.size}
	if err != nil {
		detail["refused"] = errorCode(err)
		detail["http_status"] = codes[errorCode(err)]
	} else {
		fr := up.report
		detail["status"] = fr.Status
		detail["country"] = fr.Country
		detail["facts"] = fr.Facts
		var ids []int64
		for _, rep := range fr.Reports {
			ids = append(ids, rep.ReportID)
		}
		detail["report_ids"] = ids
		detail["submission"] = up.submission
		detail["http_status"] = http.StatusOK
		if fr.Status == pg.FileRejected {
			detail["http_status"] = http.StatusUnprocessableEntity
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	return s.db.Audit(ctx, pg.AuditEntry{
		Actor:      p.Name,
		Action:     "upload",
		Object:     up.name,
		FileSHA256: up.sha256,
		Remote:     remoteHost(r),
		Detail:     detail,
	})
}
