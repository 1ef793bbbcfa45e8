;; Float64 matrix multiply with WebAssembly SIMD (f64x2), C = A·B.
;;
;; matmul(a, b, c, rows, inner, cols, jb): A is rows×inner, B inner×cols,
;; C rows×cols, all row-major float64 at byte addresses a, b, c (8-aligned);
;; C must be zero on entry. jb: columns per block (a positive even number).
;;
;; Every C[i][j] is ((0 + A[i][0]·B[0][j]) + A[i][1]·B[1][j]) + … — the sum
;; over k in increasing order, each product and each sum rounded on its own
;; (f64x2.mul then f64x2.add: no fused multiply-add). That is exactly the
;; order of the TypeScript kernel (matmul.ts), so both give the same bits and
;; results of honest workers compare equal by SHA-256.
;;
;; The loop order is i-k-j inside blocks of jb columns: the block's columns
;; of B (inner×jb) stay in cache while every row of A passes over them, and
;; each C[i][j] still sees k in increasing order. Two rows of A go at once,
;; so each vector of B is loaded once for two rows of C.
(module
  (import "env" "memory" (memory 0))

  (func (export "matmul") (param $a i32) (param $b i32) (param $c i32)
                          (param $rows i32) (param $inner i32) (param $cols i32) (param $jb i32)
    (local $j0 i32) (local $j1 i32) (local $i i32) (local $k i32) (local $j i32)
    (local $rowB i32) (local $rowC i32) (local $rowC2 i32) (local $end i32) (local $vend i32)
    (local $x f64) (local $x2 f64) (local $vx v128) (local $vx2 v128) (local $vb v128)
    (local $strideA i32) (local $strideB i32)
    (local.set $strideA (i32.shl (local.get $inner) (i32.const 3)))
    (local.set $strideB (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $j0 (i32.const 0))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $j0) (local.get $cols)))
        (local.set $j1 (i32.add (local.get $j0) (local.get $jb)))
        (if (i32.gt_u (local.get $j1) (local.get $cols)) (then (local.set $j1 (local.get $cols))))
        ;; byte offsets of the block's columns; vend: end of the even part
        (local.set $end (i32.shl (local.get $j1) (i32.const 3)))
        (local.set $vend (i32.shl (i32.add (local.get $j0)
          (i32.and (i32.sub (local.get $j1) (local.get $j0)) (i32.const -2))) (i32.const 3)))
        (local.set $i (i32.const 0))
        ;; pairs of rows
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $rows)))
            (local.set $rowC (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $strideB))))
            (local.set $rowC2 (i32.add (local.get $rowC) (local.get $strideB)))
            (local.set $k (i32.const 0))
            (block $kDone
              (loop $ks
                (br_if $kDone (i32.ge_u (local.get $k) (local.get $inner)))
                (local.set $x (f64.load (i32.add (local.get $a)
                  (i32.add (i32.mul (local.get $i) (local.get $strideA)) (i32.shl (local.get $k) (i32.const 3))))))
                (local.set $x2 (f64.load (i32.add (local.get $a)
                  (i32.add (i32.mul (i32.add (local.get $i) (i32.const 1)) (local.get $strideA)) (i32.shl (local.get $k) (i32.const 3))))))
                (local.set $vx (f64x2.splat (local.get $x)))
                (local.set $vx2 (f64x2.splat (local.get $x2)))
                (local.set $rowB (i32.add (local.get $b) (i32.mul (local.get $k) (local.get $strideB))))
                (local.set $j (i32.shl (local.get $j0) (i32.const 3)))
                (block $vDone
                  (loop $vs
                    (br_if $vDone (i32.ge_u (local.get $j) (local.get $vend)))
                    (local.set $vb (v128.load (i32.add (local.get $rowB) (local.get $j))))
                    (v128.store (i32.add (local.get $rowC) (local.get $j))
                      (f64x2.add (v128.load (i32.add (local.get $rowC) (local.get $j)))
                                 (f64x2.mul (local.get $vx) (local.get $vb))))
                    (v128.store (i32.add (local.get $rowC2) (local.get $j))
                      (f64x2.add (v128.load (i32.add (local.get $rowC2) (local.get $j)))
                                 (f64x2.mul (local.get $vx2) (local.get $vb))))
                    (local.set $j (i32.add (local.get $j) (i32.const 16)))
                    (br $vs)))
                (if (i32.lt_u (local.get $j) (local.get $end))
                  (then
                    (f64.store (i32.add (local.get $rowC) (local.get $j))
                      (f64.add (f64.load (i32.add (local.get $rowC) (local.get $j)))
                               (f64.mul (local.get $x) (f64.load (i32.add (local.get $rowB) (local.get $j))))))
                    (f64.store (i32.add (local.get $rowC2) (local.get $j))
                      (f64.add (f64.load (i32.add (local.get $rowC2) (local.get $j)))
                               (f64.mul (local.get $x2) (f64.load (i32.add (local.get $rowB) (local.get $j))))))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $ks)))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $pairs)))
        ;; the last row when rows is odd
        (if (i32.lt_u (local.get $i) (local.get $rows))
          (then
            (local.set $rowC (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $strideB))))
            (local.set $k (i32.const 0))
            (block $kDone1
              (loop $ks1
                (br_if $kDone1 (i32.ge_u (local.get $k) (local.get $inner)))
                (local.set $x (f64.load (i32.add (local.get $a)
                  (i32.add (i32.mul (local.get $i) (local.get $strideA)) (i32.shl (local.get $k) (i32.const 3))))))
                (local.set $vx (f64x2.splat (local.get $x)))
                (local.set $rowB (i32.add (local.get $b) (i32.mul (local.get $k) (local.get $strideB))))
                (local.set $j (i32.shl (local.get $j0) (i32.const 3)))
                (block $vDone1
                  (loop $vs1
                    (br_if $vDone1 (i32.ge_u (local.get $j) (local.get $vend)))
                    (v128.store (i32.add (local.get $rowC) (local.get $j))
                      (f64x2.add (v128.load (i32.add (local.get $rowC) (local.get $j)))
                                 (f64x2.mul (local.get $vx) (v128.load (i32.add (local.get $rowB) (local.get $j))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 16)))
                    (br $vs1)))
                (if (i32.lt_u (local.get $j) (local.get $end))
                  (then
                    (f64.store (i32.add (local.get $rowC) (local.get $j))
                      (f64.add (f64.load (i32.add (local.get $rowC) (local.get $j)))
                               (f64.mul (local.get $x) (f64.load (i32.add (local.get $rowB) (local.get $j))))))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $ks1)))))
        (local.set $j0 (local.get $j1))
        (br $blocks)))))
