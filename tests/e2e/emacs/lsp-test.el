;;; lsp-test.el --- drive codeintel-lsp from Emacs + eglot in batch mode  -*- lexical-binding: t; -*-
;; Run by run.sh: opens a copy of Examples/lsp/sample.ts, waits for diagnostics, requests inlay
;; hints, hover and code actions, applies an edit and checks the results. Exit status 0 or 1.
(require 'eglot)
(require 'cl-lib)

(defvar codeintel-test-failures 0)
(defvar codeintel-test-diagnostics nil)

(defun codeintel-check (ok what)
  (message "  %s %s" (if ok "ok  " "FAIL") what)
  (unless ok (cl-incf codeintel-test-failures))
  ok)

(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql textDocument/publishDiagnostics)) &key _uri diagnostics &allow-other-keys)
  (when (> (length diagnostics) 0) (setq codeintel-test-diagnostics diagnostics)))

(defun codeintel-wait (pred seconds)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun codeintel-line-of (text)
  (save-excursion
    (goto-char (point-min))
    (when (search-forward text nil t) (1- (line-number-at-pos)))))

(defun codeintel-run ()
  (let* ((server-program (getenv "CODEINTEL_LSP"))
         (sample (getenv "SAMPLE"))
         (dir (file-name-directory sample))
         (eglot-sync-connect 30)
         (eglot-send-changes-idle-time 0))
    (find-file sample)
    (js-mode)
    ;; The settings Editors/emacs/codeintel-eglot.el sends (its hint bar, 0.5, is a user's choice there;
    ;; the server's own default is the type head's calibrated threshold, docs/LSP.md).
    (let* ((server (eglot '(js-mode) (cons 'transient dir) 'eglot-lsp-server
                          (list server-program :initializationOptions
                                '(:codeintel (:inlayHints (:enabled t :minConfidence 0.5))))
                          "typescript"))
           (doc (eglot--TextDocumentIdentifier))
           (whole (list :start '(:line 0 :character 0) :end (list :line (count-lines (point-min) (point-max)) :character 0)))
           (retries (codeintel-line-of "const retries = 3"))
           (describe (codeintel-line-of "export function describe("))
           (total (codeintel-line-of "export function total(")))
      ;; `eglot-sync-connect' waits 30 s, then eglot finishes connecting in the background (the server loads
      ;; its models first: slow on a loaded machine), so wait for the connection rather than checking once.
      (codeintel-check (codeintel-wait (lambda () (eglot-current-server)) 90) "eglot connects")
      (codeintel-check (codeintel-wait (lambda () codeintel-test-diagnostics) 20) "diagnostics are published")
      (codeintel-check
       (cl-some (lambda (d) (string-match-p "functional clone of `sumPrices`" (plist-get d :message)))
                codeintel-test-diagnostics)
       "total is reported as a clone of sumPrices")
      (let* ((hints (jsonrpc-request server :textDocument/inlayHint (list :textDocument doc :range whole)))
             (describe-hint (cl-find-if (lambda (h) (= (plist-get (plist-get h :position) :line) describe)) hints)))
        (codeintel-check (and describe-hint (equal (plist-get describe-hint :label) ": string"))
                         "inlay hint `: string` for describe's return")
        (codeintel-check (not (cl-find-if (lambda (h) (= (plist-get (plist-get h :position) :line) retries)) hints))
                         "no hint for retries (its initialiser says number)"))
      (let* ((hover (jsonrpc-request server :textDocument/hover
                                     (list :textDocument doc :position (list :line total :character 17))))
             (text (plist-get (plist-get hover :contents) :value)))
        (codeintel-check (and text (string-match-p "sumPrices" text)) "hover on total lists sumPrices"))
      (let* ((pos (list :line retries :character 7))
             (actions (jsonrpc-request server :textDocument/codeAction
                                       (list :textDocument doc :range (list :start pos :end pos)
                                             :context '(:diagnostics []))))
             (add (cl-find-if (lambda (a) (string-prefix-p "Add type annotation" (plist-get a :title))) actions)))
        (codeintel-check add "code action 'Add type annotation' is offered")
        (when add
          (eglot--apply-workspace-edit (plist-get add :edit))
          (codeintel-check (codeintel-line-of "const retries: number = 3;") "the edit is applied")
          (eglot--signal-textDocument/didChange)
          (let* ((hints (jsonrpc-request server :textDocument/inlayHint (list :textDocument doc :range whole))))
            (codeintel-check
             (not (cl-find-if (lambda (h) (= (plist-get (plist-get h :position) :line) retries)) hints))
             "no hint for retries after the edit"))))
      (set-buffer-modified-p nil)
      (eglot-shutdown server)
      (codeintel-check (not (jsonrpc-running-p server)) "the server shuts down"))))

(condition-case err
    (codeintel-run)
  (error (message "  FAIL the test raised: %S" err) (cl-incf codeintel-test-failures)))
(kill-emacs (if (> codeintel-test-failures 0) 1 0))
