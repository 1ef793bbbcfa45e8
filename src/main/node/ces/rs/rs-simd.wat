;; Reed-Solomon GF(2^8) multiply-accumulate with WebAssembly SIMD.
;;
;; combine(nIn, nOut, tbl, inPtrs, outPtrs, len):
;;   out[r][0..len) = XOR_j c[r][j] · in[j][0..len)
;; where c·x is looked up with two 16-entry tables per coefficient (the
;; nibble-table technique): c·x = T_lo[x & 15] ^ T_hi[x >> 4], and
;; i8x16.swizzle performs 16 such lookups at once.
;;
;; Memory laid out by the caller (kernel-wasm.ts):
;;   inPtrs/outPtrs: arrays of i32 addresses of the shard chunks
;;   tbl + (j*nOut + r)*32: 16 bytes T_lo then 16 bytes T_hi for c[r][j]
;;   len: a multiple of 16 (the caller pads chunk buffers)
;;
;; Output rows go in groups of 4 (then 2, then 1) so each input vector is
;; loaded and split into nibbles once per group rather than once per row.
(module
  (memory (export "memory") 1)

  (func $group4 (param $nIn i32) (param $nOut i32) (param $tbl i32) (param $inPtrs i32)
                (param $outPtrs i32) (param $len i32) (param $r i32)
    (local $stride i32) (local $t0 i32) (local $t i32) (local $ip i32) (local $j i32) (local $p i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $mask v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $stride (i32.shl (local.get $nOut) (i32.const 5)))
    (local.set $t0 (i32.add (local.get $tbl) (i32.shl (local.get $r) (i32.const 5))))
    (local.set $o0 (i32.load (i32.add (local.get $outPtrs) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $o1 (i32.load offset=4 (i32.add (local.get $outPtrs) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $o2 (i32.load offset=8 (i32.add (local.get $outPtrs) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $o3 (i32.load offset=12 (i32.add (local.get $outPtrs) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $mask (i8x16.splat (i32.const 15)))
    (local.set $p (i32.const 0))
    (block $done
      (loop $pos
        (br_if $done (i32.ge_u (local.get $p) (local.get $len)))
        (local.set $a0 (v128.const i64x2 0 0))
        (local.set $a1 (v128.const i64x2 0 0))
        (local.set $a2 (v128.const i64x2 0 0))
        (local.set $a3 (v128.const i64x2 0 0))
        (local.set $t (local.get $t0))
        (local.set $ip (local.get $inPtrs))
        (local.set $j (local.get $nIn))
        (loop $inputs
          (local.set $v (v128.load (i32.add (i32.load (local.get $ip)) (local.get $p))))
          (local.set $lo (v128.and (local.get $v) (local.get $mask)))
          (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
          (local.set $a0 (v128.xor (local.get $a0) (v128.xor
            (i8x16.swizzle (v128.load offset=0 (local.get $t)) (local.get $lo))
            (i8x16.swizzle (v128.load offset=16 (local.get $t)) (local.get $hi)))))
          (local.set $a1 (v128.xor (local.get $a1) (v128.xor
            (i8x16.swizzle (v128.load offset=32 (local.get $t)) (local.get $lo))
            (i8x16.swizzle (v128.load offset=48 (local.get $t)) (local.get $hi)))))
          (local.set $a2 (v128.xor (local.get $a2) (v128.xor
            (i8x16.swizzle (v128.load offset=64 (local.get $t)) (local.get $lo))
            (i8x16.swizzle (v128.load offset=80 (local.get $t)) (local.get $hi)))))
          (local.set $a3 (v128.xor (local.get $a3) (v128.xor
            (i8x16.swizzle (v128.load offset=96 (local.get $t)) (local.get $lo))
            (i8x16.swizzle (v128.load offset=112 (local.get $t)) (local.get $hi)))))
          (local.set $t (i32.add (local.get $t) (local.get $stride)))
          (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br_if $inputs (local.get $j)))
        (v128.store (i32.add (local.get $o0) (local.get $p)) (local.get $a0))
        (v128.store (i32.add (local.get $o1) (local.get $p)) (local.get $a1))
        (v128.store (i32.add (local.get $o2) (local.get $p)) (local.get $a2))
        (v128.store (i32.add (local.get $o3) (local.get $p)) (local.get $a3))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pos))))

  (func $group2 (param $nIn i32) (param $nOut i32) (param $tbl i32) (param $inPtrs i32)
                (param $outPtrs i32) (param $len i32) (param $r i32)
    (local $stride i32) (local $t0 i32) (local $t i32) (local $ip i32) (local $j i32) (local $p i32)
    (local $o0 i32) (local $o1 i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $mask v128)
    (local $a0 v128) (local $a1 v128)
    (local.set $stride (i32.shl (local.get $nOut) (i32.const 5)))
    (local.set $t0 (i32.add (local.get $tbl) (i32.shl (local.get $r) (i32.const 5))))
    (local.set $o0 (i32.load (i32.add (local.get $outPtrs) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $o1 (i32.load offset=4 (i32.add (local.get $outPtrs) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $mask (i8x16.splat (i32.const 15)))
    (local.set $p (i32.const 0))
    (block $done
      (loop $pos
        (br_if $done (i32.ge_u (local.get $p) (local.get $len)))
        (local.set $a0 (v128.const i64x2 0 0))
        (local.set $a1 (v128.const i64x2 0 0))
        (local.set $t (local.get $t0))
        (local.set $ip (local.get $inPtrs))
        (local.set $j (local.get $nIn))
        (loop $inputs
          (local.set $v (v128.load (i32.add (i32.load (local.get $ip)) (local.get $p))))
          (local.set $lo (v128.and (local.get $v) (local.get $mask)))
          (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
          (local.set $a0 (v128.xor (local.get $a0) (v128.xor
            (i8x16.swizzle (v128.load offset=0 (local.get $t)) (local.get $lo))
            (i8x16.swizzle (v128.load offset=16 (local.get $t)) (local.get $hi)))))
          (local.set $a1 (v128.xor (local.get $a1) (v128.xor
            (i8x16.swizzle (v128.load offset=32 (local.get $t)) (local.get $lo))
            (i8x16.swizzle (v128.load offset=48 (local.get $t)) (local.get $hi)))))
          (local.set $t (i32.add (local.get $t) (local.get $stride)))
          (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br_if $inputs (local.get $j)))
        (v128.store (i32.add (local.get $o0) (local.get $p)) (local.get $a0))
        (v128.store (i32.add (local.get $o1) (local.get $p)) (local.get $a1))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pos))))

  (func $group1 (param $nIn i32) (param $nOut i32) (param $tbl i32) (param $inPtrs i32)
                (param $outPtrs i32) (param $len i32) (param $r i32)
    (local $stride i32) (local $t0 i32) (local $t i32) (local $ip i32) (local $j i32) (local $p i32)
    (local $o0 i32)
    (local $v v128) (local $mask v128) (local $a0 v128)
    (local.set $stride (i32.shl (local.get $nOut) (i32.const 5)))
    (local.set $t0 (i32.add (local.get $tbl) (i32.shl (local.get $r) (i32.const 5))))
    (local.set $o0 (i32.load (i32.add (local.get $outPtrs) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $mask (i8x16.splat (i32.const 15)))
    (local.set $p (i32.const 0))
    (block $done
      (loop $pos
        (br_if $done (i32.ge_u (local.get $p) (local.get $len)))
        (local.set $a0 (v128.const i64x2 0 0))
        (local.set $t (local.get $t0))
        (local.set $ip (local.get $inPtrs))
        (local.set $j (local.get $nIn))
        (loop $inputs
          (local.set $v (v128.load (i32.add (i32.load (local.get $ip)) (local.get $p))))
          (local.set $a0 (v128.xor (local.get $a0) (v128.xor
            (i8x16.swizzle (v128.load offset=0 (local.get $t)) (v128.and (local.get $v) (local.get $mask)))
            (i8x16.swizzle (v128.load offset=16 (local.get $t)) (i8x16.shr_u (local.get $v) (i32.const 4))))))
          (local.set $t (i32.add (local.get $t) (local.get $stride)))
          (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br_if $inputs (local.get $j)))
        (v128.store (i32.add (local.get $o0) (local.get $p)) (local.get $a0))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pos))))

  ;; nIn ≥ 1 and nOut ≥ 1 are checked by the caller.
  (func (export "combine") (param $nIn i32) (param $nOut i32) (param $tbl i32) (param $inPtrs i32)
                           (param $outPtrs i32) (param $len i32)
    (local $r i32)
    (block $fours
      (loop $four
        (br_if $fours (i32.lt_u (i32.sub (local.get $nOut) (local.get $r)) (i32.const 4)))
        (call $group4 (local.get $nIn) (local.get $nOut) (local.get $tbl) (local.get $inPtrs)
                      (local.get $outPtrs) (local.get $len) (local.get $r))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $four)))
    (if (i32.ge_u (i32.sub (local.get $nOut) (local.get $r)) (i32.const 2))
      (then
        (call $group2 (local.get $nIn) (local.get $nOut) (local.get $tbl) (local.get $inPtrs)
                      (local.get $outPtrs) (local.get $len) (local.get $r))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))))
    (if (i32.lt_u (local.get $r) (local.get $nOut))
      (then
        (call $group1 (local.get $nIn) (local.get $nOut) (local.get $tbl) (local.get $inPtrs)
                      (local.get $outPtrs) (local.get $len) (local.get $r)))))
)
