{
  "targets": [
    {
      "target_name": "attune_native",
      "sources": ["src/native.cc"],
      # GCC 12 leaves the AVX2 and AVX-512 clones unvectorized under node-gyp's -fno-exceptions.
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-fopenmp-simd"],
      "libraries": ["-ldl"]
    }
  ]
}
