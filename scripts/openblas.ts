// The launchers' part in giving a fresh machine the native training kernels: OpenBLAS installed
// when this process may (root with apt-get), else one line with the command, and on we go on wasm.
import { ensureOpenBlas, openBlasPackage } from "@attune/native/openblas";

export function prepareOpenBlas(): void {
  const setup = ensureOpenBlas(() =>
    console.log(
      `Installing Debian's OpenBLAS for the native training kernels (apt-get install ${openBlasPackage})…`,
    ),
  );
  if (setup.state === "missing") console.log(setup.advice);
}
