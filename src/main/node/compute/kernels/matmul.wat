;; Float64 matrix multiply with WebAssembly SIMD (f64x2), C = A·B.
;;
;; matmul(a, b, c, rows, inner, cols, pack): A is rows×inner, B inner×cols,
;; C rows×cols, all row-major float64 at byte addresses a, b, c; C's
;; contents on entry do not matter (every element is written). pack: a
;; scratch area of 32·inner bytes.
;;
;; Every C[i][j] is ((0 + A[i][0]·B[0][j]) + A[i][1]·B[1][j]) + … — the sum
;; over k in increasing order, each product and each sum rounded on its own
;; (f64x2.mul then f64x2.add: no fused multiply-add). That is exactly the
;; order of the TypeScript kernel (matmul.ts), so both give the same bits and
;; results of honest workers compare equal by SHA-256.
;;
;; The work goes in tiles of 4 rows × 4 columns of C, whose 16 sums stay in 8
;; f64x2 registers while k runs from 0 to inner; each step loads 2 vectors of
;; B and 4 elements of A for 16 multiply-adds. Tiles go column strip by
;; column strip; each strip of B (inner × 4) is first copied to `pack`,
;; contiguous, where it stays in cache while every row of A passes over it
;; (read in place, its rows are a power-of-two stride apart for the usual
;; sizes and evict each other from the cache: 512² ran at half speed). The rows and columns left over at the edges (fewer
;; than 4) are summed one element at a time, in the same order.
(module
  (import "env" "memory" (memory 0))

  ;; C[i][j] for i in [i0, i1), j in [j0, j1), one element at a time
  (func $edge (param $a i32) (param $b i32) (param $c i32) (param $inner i32) (param $cols i32)
              (param $i0 i32) (param $i1 i32) (param $j0 i32) (param $j1 i32)
    (local $i i32) (local $j i32) (local $k i32) (local $acc f64) (local $pa i32) (local $pb i32)
    (local.set $i (local.get $i0))
    (block $iDone (loop $is
      (br_if $iDone (i32.ge_u (local.get $i) (local.get $i1)))
      (local.set $j (local.get $j0))
      (block $jDone (loop $js
        (br_if $jDone (i32.ge_u (local.get $j) (local.get $j1)))
        (local.set $acc (f64.const 0))
        (local.set $pa (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $inner)) (i32.const 3))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $k (i32.const 0))
        (block $kDone (loop $ks
          (br_if $kDone (i32.ge_u (local.get $k) (local.get $inner)))
          (local.set $acc (f64.add (local.get $acc) (f64.mul (f64.load (local.get $pa)) (f64.load (local.get $pb)))))
          (local.set $pa (i32.add (local.get $pa) (i32.const 8)))
          (local.set $pb (i32.add (local.get $pb) (i32.shl (local.get $cols) (i32.const 3))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $ks)))
        (f64.store (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 3)))
          (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $js)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $is))))

  (func (export "matmul") (param $a i32) (param $b i32) (param $c i32)
                          (param $rows i32) (param $inner i32) (param $cols i32) (param $pack i32)
    (local $rows4 i32) (local $cols4 i32) (local $i i32) (local $j i32) (local $k i32)
    (local $sa i32) (local $sb i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $vb0 v128) (local $vb1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $sa (i32.shl (local.get $inner) (i32.const 3)))
    (local.set $sb (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $j (i32.const 0))
    (block $jDone (loop $js
      (br_if $jDone (i32.ge_u (local.get $j) (local.get $cols4)))
      ;; pack B[0..inner)[j..j+4)
      (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $pc (local.get $pack))
      (local.set $k (i32.const 0))
      (block $packed (loop $packing
        (br_if $packed (i32.ge_u (local.get $k) (local.get $inner)))
        (v128.store (local.get $pc) (v128.load (local.get $pb)))
        (v128.store offset=16 (local.get $pc) (v128.load offset=16 (local.get $pb)))
        (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 32)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $packing)))
      (local.set $i (i32.const 0))
      (block $iDone (loop $is
        (br_if $iDone (i32.ge_u (local.get $i) (local.get $rows4)))
        (local.set $c00 (v128.const i64x2 0 0)) (local.set $c01 (v128.const i64x2 0 0))
        (local.set $c10 (v128.const i64x2 0 0)) (local.set $c11 (v128.const i64x2 0 0))
        (local.set $c20 (v128.const i64x2 0 0)) (local.set $c21 (v128.const i64x2 0 0))
        (local.set $c30 (v128.const i64x2 0 0)) (local.set $c31 (v128.const i64x2 0 0))
        ;; pa: A[i][k]; pb: B[k][j] in pack
        (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sa))))
        (local.set $pb (local.get $pack))
        (local.set $k (i32.const 0))
        (block $kDone (loop $ks
          (br_if $kDone (i32.ge_u (local.get $k) (local.get $inner)))
          (local.set $vb0 (v128.load (local.get $pb)))
          (local.set $vb1 (v128.load offset=16 (local.get $pb)))
          (local.set $x (f64x2.splat (f64.load (local.get $pa))))
          (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $vb0))))
          (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $vb1))))
          (local.set $x (f64x2.splat (f64.load (i32.add (local.get $pa) (local.get $sa)))))
          (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $vb0))))
          (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x) (local.get $vb1))))
          (local.set $x (f64x2.splat (f64.load (i32.add (local.get $pa) (i32.shl (local.get $sa) (i32.const 1))))))
          (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $vb0))))
          (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x) (local.get $vb1))))
          (local.set $x (f64x2.splat (f64.load (i32.add (local.get $pa) (i32.mul (local.get $sa) (i32.const 3))))))
          (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $vb0))))
          (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x) (local.get $vb1))))
          (local.set $pa (i32.add (local.get $pa) (i32.const 8)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $ks)))
        ;; pc: C[i][j]
        (local.set $pc (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $sb)) (i32.shl (local.get $j) (i32.const 3)))))
        (v128.store (local.get $pc) (local.get $c00))
        (v128.store offset=16 (local.get $pc) (local.get $c01))
        (local.set $pc (i32.add (local.get $pc) (local.get $sb)))
        (v128.store (local.get $pc) (local.get $c10))
        (v128.store offset=16 (local.get $pc) (local.get $c11))
        (local.set $pc (i32.add (local.get $pc) (local.get $sb)))
        (v128.store (local.get $pc) (local.get $c20))
        (v128.store offset=16 (local.get $pc) (local.get $c21))
        (local.set $pc (i32.add (local.get $pc) (local.get $sb)))
        (v128.store (local.get $pc) (local.get $c30))
        (v128.store offset=16 (local.get $pc) (local.get $c31))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $is)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $js)))
    ;; the columns right of the last whole tile, for the rows of whole tiles; then the last rows, all columns
    (call $edge (local.get $a) (local.get $b) (local.get $c) (local.get $inner) (local.get $cols)
      (i32.const 0) (local.get $rows4) (local.get $cols4) (local.get $cols))
    (call $edge (local.get $a) (local.get $b) (local.get $c) (local.get $inner) (local.get $cols)
      (local.get $rows4) (local.get $rows) (i32.const 0) (local.get $cols))))
