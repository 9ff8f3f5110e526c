#pragma once
// A CliTest that needs no subclass: its temporary folder is named after the
// running test (suite and name), so a test file says
//   using RunCli = test::SuiteCliTest;
// and writes TEST_F(RunCli, ...) with run() and dir() at hand.

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "support/cli.h"

namespace dnnroof::test {

#if defined(DNNROOF_BINARY)
class SuiteCliTest : public CliTest {
 protected:
  SuiteCliTest() : CliTest(running_test_name()) {}

 private:
  // "Suite.Name" of the test being set up ("cli" outside a test), with
  // every character but letters, digits, '.', '-' and '_' (a parameterised
  // test's '/') made '_'.
  static std::string running_test_name() {
    const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = t == nullptr ? "cli" : std::string(t->test_suite_name()) + "." + t->name();
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
    }
    return name;
  }
};
#endif

}  // namespace dnnroof::test
