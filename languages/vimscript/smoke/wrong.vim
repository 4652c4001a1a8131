" A failed assert_*() without `| cq` (some McEval tests end that way) must still fail the
" run: vim-script-run writes v:errors to /dev/stderr and exits 1 (McEval's other style,
" `if assert_equal(...) | cq | endif`, is checked by the McEval suite tests).
function! Add(a, b)
  return a:a - a:b
endfunction

call assert_equal(5, Add(2, 3))
exit(0)
