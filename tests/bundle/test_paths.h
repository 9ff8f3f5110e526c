#pragma once
// Test binaries that run where they were not built (the bundle's
// libexec/dnnroof/tests/, scripts/bundle.sh): force-included into every test
// executable by cmake/install.cmake. The build bakes absolute paths into the
// tests (DNNROOF_SOURCE_DIR, DNNROOF_SHARED_DIR, DNNROOF_BINARY and the
// per-test data macros); this header redefines each of them as a call that
// returns the baked path unchanged in the build tree and, when the binary
// runs from a bundle, the same file inside the bundle:
//
//   <source>/...             -> <bundle>/share/dnnroof/test-source/...
//                               (tests' data and scripts; data/ is a link
//                               to the bundle's share/dnnroof/data)
//   <source>/../shared/...   -> <bundle>/share/dnnroof/test-shared/...
//   <build>/.../NAME         -> <bundle>/bin/NAME, lib/NAME or
//                               libexec/dnnroof/tests/NAME, whichever exists,
//                               else $DNNROOF_TEST_WORK_DIR (default
//                               $TMPDIR/dnnroof-tests-<uid>)/...
//
// <bundle> is $DNNROOF_TEST_BUNDLE when set, else three folders above the
// running test binary when that folder has share/dnnroof/test-source (the
// bundle layout). The macros become `const char*` expressions, so a test
// must not paste them to string literals ("a" MACRO); use
// std::string(MACRO) + "...".
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace dnnroof_test_paths {

namespace fs = std::filesystem;

struct Roots {
  std::string bundle;  // "" when running from the build tree
  std::string work;
};

inline const Roots& roots() {
  static const Roots r = [] {
    Roots out;
    if (const char* e = std::getenv("DNNROOF_TEST_BUNDLE"); e != nullptr && *e != '\0') {
      out.bundle = e;
    } else {
      std::error_code ec;
      const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
      if (!ec) {
        const fs::path top = exe.parent_path().parent_path().parent_path().parent_path();
        if (fs::is_directory(top / "share" / "dnnroof" / "test-source", ec)) {
          out.bundle = top.string();
        }
      }
    }
    if (const char* e = std::getenv("DNNROOF_TEST_WORK_DIR"); e != nullptr && *e != '\0') {
      out.work = e;
    } else {
      std::error_code ec;
      fs::path tmp = fs::temp_directory_path(ec);
      if (ec) tmp = "/tmp";
      out.work = (tmp / ("dnnroof-tests-" + std::to_string(::getuid()))).string();
    }
    return out;
  }();
  return r;
}

// `rest` (starting with '/' or empty) under `root`.
inline std::string under(const std::string& root, std::string_view rest) {
  return root + std::string(rest);
}

inline bool starts(std::string_view path, std::string_view prefix, std::string_view& rest) {
  if (prefix.empty() || path.substr(0, prefix.size()) != prefix) return false;
  rest = path.substr(prefix.size());
  return rest.empty() || rest.front() == '/';
}

// The path the build baked in, or its place in the bundle.
inline std::string relocate(std::string_view baked, std::string_view source,
                            std::string_view shared, std::string_view build) {
  const Roots& r = roots();
  if (r.bundle.empty()) return std::string(baked);
  const std::string share = r.bundle + "/share/dnnroof";
  std::string_view rest;
  if (starts(baked, shared, rest)) return under(share + "/test-shared", rest);
  if (starts(baked, build, rest)) {
    const std::string name = fs::path(std::string(rest)).filename().string();
    for (const char* dir : {"/bin/", "/lib/", "/libexec/dnnroof/tests/"}) {
      std::error_code ec;
      const std::string p = r.bundle + dir + name;
      if (!name.empty() && fs::is_regular_file(p, ec)) return p;
    }
    return under(r.work, rest);
  }
  if (starts(baked, source, rest)) return under(share + "/test-source", rest);
  return std::string(baked);
}

// A stable `const char*` for each baked path (the macros' type stays what it was).
inline const char* path(std::string_view baked, std::string_view source, std::string_view shared,
                        std::string_view build) {
  static std::mutex mu;
  static std::map<std::string, std::string, std::less<>> cache;
  const std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(baked);
  if (it == cache.end()) {
    it = cache.emplace(std::string(baked), relocate(baked, source, shared, build)).first;
  }
  return it->second.c_str();
}

}  // namespace dnnroof_test_paths

#if defined(DNNROOF_SOURCE_DIR) && defined(DNNROOF_TEST_BUILD_DIR)
namespace dnnroof_test_paths {
inline constexpr const char* kSource = DNNROOF_SOURCE_DIR;
#ifdef DNNROOF_SHARED_DIR
inline constexpr const char* kShared = DNNROOF_SHARED_DIR;
#else
inline constexpr const char* kShared = "";
#endif
inline constexpr const char* kBuild = DNNROOF_TEST_BUILD_DIR;
}  // namespace dnnroof_test_paths
#define DNNROOF_TEST_RELOCATED_(var)                                                             \
  (::dnnroof_test_paths::path(var, ::dnnroof_test_paths::kSource, ::dnnroof_test_paths::kShared, \
                              ::dnnroof_test_paths::kBuild))

// Each baked path: keep its value, then redefine the macro as the relocated path.
#define DNNROOF_TEST_KEEP_(name, var)      \
  namespace dnnroof_test_paths {           \
  inline constexpr const char* var = name; \
  }

DNNROOF_TEST_KEEP_(DNNROOF_SOURCE_DIR, kBakedSource)
#undef DNNROOF_SOURCE_DIR
#define DNNROOF_SOURCE_DIR DNNROOF_TEST_RELOCATED_(::dnnroof_test_paths::kBakedSource)
#ifdef DNNROOF_SHARED_DIR
DNNROOF_TEST_KEEP_(DNNROOF_SHARED_DIR, kBakedShared)
#undef DNNROOF_SHARED_DIR
#define DNNROOF_SHARED_DIR DNNROOF_TEST_RELOCATED_(::dnnroof_test_paths::kBakedShared)
#endif
#ifdef DNNROOF_BINARY
DNNROOF_TEST_KEEP_(DNNROOF_BINARY, kBakedBinary)
#undef DNNROOF_BINARY
#define DNNROOF_BINARY DNNROOF_TEST_RELOCATED_(::dnnroof_test_paths::kBakedBinary)
#endif
#ifdef DNNROOF_ONNX_TEST_DATA
DNNROOF_TEST_KEEP_(DNNROOF_ONNX_TEST_DATA, kBakedOnnxTestData)
#undef DNNROOF_ONNX_TEST_DATA
#define DNNROOF_ONNX_TEST_DATA DNNROOF_TEST_RELOCATED_(::dnnroof_test_paths::kBakedOnnxTestData)
#endif
#ifdef DNNROOF_PEERS_FIXTURE
DNNROOF_TEST_KEEP_(DNNROOF_PEERS_FIXTURE, kBakedPeersFixture)
#undef DNNROOF_PEERS_FIXTURE
#define DNNROOF_PEERS_FIXTURE DNNROOF_TEST_RELOCATED_(::dnnroof_test_paths::kBakedPeersFixture)
#endif
#ifdef DNNROOF_E2E_CATALOG
DNNROOF_TEST_KEEP_(DNNROOF_E2E_CATALOG, kBakedE2eCatalog)
#undef DNNROOF_E2E_CATALOG
#define DNNROOF_E2E_CATALOG DNNROOF_TEST_RELOCATED_(::dnnroof_test_paths::kBakedE2eCatalog)
#endif
#ifdef DNNROOF_E2E_WORKDIR
DNNROOF_TEST_KEEP_(DNNROOF_E2E_WORKDIR, kBakedE2eWorkdir)
#undef DNNROOF_E2E_WORKDIR
#define DNNROOF_E2E_WORKDIR DNNROOF_TEST_RELOCATED_(::dnnroof_test_paths::kBakedE2eWorkdir)
#endif
#ifdef DNNROOF_EXEC_MODULE_FILE
DNNROOF_TEST_KEEP_(DNNROOF_EXEC_MODULE_FILE, kBakedExecModuleFile)
#undef DNNROOF_EXEC_MODULE_FILE
#define DNNROOF_EXEC_MODULE_FILE DNNROOF_TEST_RELOCATED_(::dnnroof_test_paths::kBakedExecModuleFile)
#endif
#ifdef FAKE_MODULE
DNNROOF_TEST_KEEP_(FAKE_MODULE, kBakedFakeModule)
#undef FAKE_MODULE
#define FAKE_MODULE DNNROOF_TEST_RELOCATED_(::dnnroof_test_paths::kBakedFakeModule)
#endif
#ifdef FOREIGN_MODULE
DNNROOF_TEST_KEEP_(FOREIGN_MODULE, kBakedForeignModule)
#undef FOREIGN_MODULE
#define FOREIGN_MODULE DNNROOF_TEST_RELOCATED_(::dnnroof_test_paths::kBakedForeignModule)
#endif
#undef DNNROOF_TEST_KEEP_
#endif
