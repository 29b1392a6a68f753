;;; codeintel-eglot.el --- codeintel-lsp through eglot  -*- lexical-binding: t; -*-

;; Load this file (or paste it into init.el) with eglot installed (built in from Emacs 29,
;; `apt-get install elpa-eglot' or M-x package-install for Emacs 28), then M-x eglot in a
;; JavaScript or TypeScript buffer.

(require 'eglot)

(defgroup codeintel nil "codeintel-lsp settings." :group 'tools)

(defcustom codeintel-lsp-program "codeintel-lsp"
  "Path of the codeintel-lsp executable."
  :type 'string)

(defcustom codeintel-settings
  '(:codeintel (:inlayHints (:enabled t :minConfidence 0.5)
                :diagnostics (:enabled t :debounceMs 300 :clones t :names t)))
  "Settings sent as initializationOptions and workspace/didChangeConfiguration."
  :type 'sexp)

(defclass codeintel-eglot-server (eglot-lsp-server) ()
  :documentation "codeintel-lsp.")

(cl-defmethod eglot-initialization-options ((_server codeintel-eglot-server))
  codeintel-settings)

(setq-default eglot-workspace-configuration codeintel-settings)

(dolist (mode '(js-mode js-ts-mode typescript-mode typescript-ts-mode tsx-ts-mode))
  (add-to-list 'eglot-server-programs
               `(,mode . (codeintel-eglot-server ,codeintel-lsp-program))))

(defun codeintel-find-similar ()
  "List the functions similar to the one at point."
  (interactive)
  (let* ((server (eglot-current-server))
         (pos (eglot--pos-to-lsp-position))
         (result (jsonrpc-request server :workspace/executeCommand
                                  `(:command "codeintel.findSimilar"
                                    :arguments [,(eglot--path-to-uri (buffer-file-name))
                                                ,(plist-get pos :line) ,(plist-get pos :character)]))))
    (if (seq-empty-p result)
        (message "codeintel: no similar functions")
      (with-output-to-temp-buffer "*codeintel similar*"
        (seq-doseq (c result)
          (princ (format "%s:%d  %s  (similarity %.2f)\n"
                         (eglot--uri-to-path (plist-get c :uri))
                         (1+ (plist-get (plist-get (plist-get c :range) :start) :line))
                         (plist-get c :name) (plist-get c :similarity))))))))

(provide 'codeintel-eglot)
;;; codeintel-eglot.el ends here
