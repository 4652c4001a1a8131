#lang racket/base
;; Runs a Racket program as `racket FILE` does (configure-runtime, the module, its main
;; submodule), with rackunit failures made fatal:
;; - a failed or erroring check outside a test case exits 1 at once. Plain racket prints it and
;;   carries on, so a program whose checks all fail would exit 0 and be scored a pass;
;; - a failed test case (or any check rackunit logged as failed) turns a successful exit into
;;   exit status 1, also when the program ends itself with (exit 0), as `raco test` would.
;; The `test` submodule is not run: `racket FILE` does not run it either.
(require rackunit rackunit/log)

(define (logged-failures)
  (car (test-log)))

(define (successful-exit? code)
  (not (and (byte? code) (positive? code))))

(define (make-failures-fatal!)
  (define report (current-check-handler))
  (current-check-handler
   (lambda (e)
     (report e)
     (exit 1)))
  (define exit-with (exit-handler))
  (exit-handler
   (lambda (code)
     (exit-with (if (and (successful-exit? code) (positive? (logged-failures))) 1 code)))))

(define (run-module file)
  (define mod `(file ,(path->string (path->complete-path file))))
  (define (submod name) `(submod ,mod ,name))
  (when (module-declared? (submod 'configure-runtime) #t)
    (dynamic-require (submod 'configure-runtime) #f))
  (dynamic-require mod #f)
  (when (module-declared? (submod 'main) #t)
    (dynamic-require (submod 'main) #f)))

(module+ main
  (define args (current-command-line-arguments))
  (unless (= (vector-length args) 1)
    (raise-user-error 'run.rkt "usage: racket run.rkt FILE"))
  (make-failures-fatal!)
  (run-module (vector-ref args 0))
  (exit 0))
