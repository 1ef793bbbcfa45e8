;; An example user module for `wgt compute submit --wasm` (the ABI is in the
;; README, "Compute"): counts the primes in ranges, one range per line.
;;
;; Input: lines "a b" (unsigned decimal, 0 ≤ a ≤ b < 2^32, separated by
;; spaces or tabs, "\n" or "\r\n" line ends). Blank lines are skipped.
;; Output: for each range, the number of primes p with a ≤ p ≤ b, in
;; decimal, one line each. Any other input is rejected (run returns -1).
;;
;; A job's input is split at line ends into tasks, so the outputs of the
;; tasks, concatenated, are the output for the whole input.
;; Trial division by odd numbers up to √n: fine for ranges of a few
;; million numbers; the instruction budget bounds the rest.
(module
  (import "env" "memory" (memory 1))
  (global $out (mut i32) (i32.const 0))

  ;; the input goes at 0, the output right after it (≤ 3 bytes per input
  ;; byte: the shortest line "0 0\n" gives "0\n"); grows memory to fit
  (func (export "alloc") (param $len i32) (result i32)
    (local $pages i32)
    (global.set $out (local.get $len))
    (local.set $pages (i32.wrap_i64 (i64.shr_u
      (i64.add (i64.mul (i64.extend_i32_u (local.get $len)) (i64.const 4)) (i64.const 65551))
      (i64.const 16))))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then (drop (memory.grow (i32.sub (local.get $pages) (memory.size))))))
    (i32.const 0))

  (func (export "output") (result i32) (global.get $out))

  (func $isPrime (param $n i64) (result i32)
    (local $d i64)
    (if (i64.lt_u (local.get $n) (i64.const 2)) (then (return (i32.const 0))))
    (if (i64.lt_u (local.get $n) (i64.const 4)) (then (return (i32.const 1))))
    (if (i64.eqz (i64.rem_u (local.get $n) (i64.const 2))) (then (return (i32.const 0))))
    (local.set $d (i64.const 3))
    (block $done
      (loop $next
        (br_if $done (i64.gt_u (i64.mul (local.get $d) (local.get $d)) (local.get $n)))
        (if (i64.eqz (i64.rem_u (local.get $n) (local.get $d))) (then (return (i32.const 0))))
        (local.set $d (i64.add (local.get $d) (i64.const 2)))
        (br $next)))
    (i32.const 1))

  (func $isBlank (param $c i32) (result i32)
    (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9))))

  (func (export "run") (param $ptr i32) (param $len i32) (result i32)
    (local $i i32) (local $end i32) (local $o i32) (local $c i32) (local $digits i32)
    (local $a i64) (local $b i64) (local $v i64) (local $n i64) (local $count i64) (local $k i32) (local $field i32)
    (local.set $i (local.get $ptr))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $o (global.get $out))
    (block $finished
      (loop $line
        (br_if $finished (i32.ge_u (local.get $i) (local.get $end)))
        ;; skip leading blanks; a blank line ("\n" or "\r\n") is skipped whole
        (block $lead (loop $skip
          (br_if $lead (i32.ge_u (local.get $i) (local.get $end)))
          (br_if $lead (i32.eqz (call $isBlank (i32.load8_u (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $skip)))
        (br_if $finished (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $i)))
        (if (i32.eq (local.get $c) (i32.const 13))
          (then (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $finished (i32.ge_u (local.get $i) (local.get $end)))
                (local.set $c (i32.load8_u (local.get $i)))
                (if (i32.ne (local.get $c) (i32.const 10)) (then (return (i32.const -1))))))
        (if (i32.eq (local.get $c) (i32.const 10))
          (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $line)))
        ;; two numbers: field 0 is a, field 1 is b, blanks between
        (local.set $field (i32.const 0))
        (loop $number
          (local.set $v (i64.const 0))
          (local.set $digits (i32.const 0))
          (block $numEnd (loop $digit
            (br_if $numEnd (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $c (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
            (br_if $numEnd (i32.gt_u (local.get $c) (i32.const 9)))
            (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
            (if (i64.gt_u (local.get $v) (i64.const 0xffffffff)) (then (return (i32.const -1))))
            (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $digit)))
          (if (i32.eqz (local.get $digits)) (then (return (i32.const -1))))
          (if (i32.eqz (local.get $field))
            (then
              (local.set $a (local.get $v))
              ;; at least one blank before b
              (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (i32.const -1))))
              (if (i32.eqz (call $isBlank (i32.load8_u (local.get $i)))) (then (return (i32.const -1))))
              (block $gap (loop $blanks
                (br_if $gap (i32.ge_u (local.get $i) (local.get $end)))
                (br_if $gap (i32.eqz (call $isBlank (i32.load8_u (local.get $i)))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $blanks)))
              (local.set $field (i32.const 1))
              (br $number)))
          (local.set $b (local.get $v)))
        ;; trailing blanks, then "\r\n", "\n" or the end
        (block $trail (loop $blanks2
          (br_if $trail (i32.ge_u (local.get $i) (local.get $end)))
          (br_if $trail (i32.eqz (call $isBlank (i32.load8_u (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $blanks2)))
        (if (i32.lt_u (local.get $i) (local.get $end))
          (then
            (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 13)) (then (local.set $i (i32.add (local.get $i) (i32.const 1)))))
            (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (i32.const -1))))
            (if (i32.ne (i32.load8_u (local.get $i)) (i32.const 10)) (then (return (i32.const -1))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        (if (i64.gt_u (local.get $a) (local.get $b)) (then (return (i32.const -1))))
        ;; count
        (local.set $count (i64.const 0))
        (local.set $n (local.get $a))
        (block $counted (loop $each
          (br_if $counted (i64.gt_u (local.get $n) (local.get $b)))
          (local.set $count (i64.add (local.get $count) (i64.extend_i32_u (call $isPrime (local.get $n)))))
          (local.set $n (i64.add (local.get $n) (i64.const 1)))
          (br $each)))
        ;; write it in decimal: count the digits, then fill from the right
        (local.set $k (i32.const 1))
        (local.set $v (local.get $count))
        (block $sized (loop $size
          (br_if $sized (i64.lt_u (local.get $v) (i64.const 10)))
          (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $size)))
        (local.set $o (i32.add (local.get $o) (local.get $k)))
        (i32.store8 (local.get $o) (i32.const 10))
        (local.set $v (local.get $count))
        (loop $write
          (local.set $o (i32.sub (local.get $o) (i32.const 1)))
          (i32.store8 (local.get $o) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
          (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
          (br_if $write (i64.ne (local.get $v) (i64.const 0))))
        (local.set $o (i32.add (local.get $o) (i32.add (local.get $k) (i32.const 1))))
        (br $line)))
    (i32.sub (local.get $o) (global.get $out))))
