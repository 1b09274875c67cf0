// Errors as values: every fallible operation in the core returns Status or Result<T>.
// Messages are written for the reader and name the file, the place and the problem,
// e.g. "peaks.bed:line 12: end 4,000 is before start 5,000". The CLI prints them; the
// labs show them. No exception crosses a public boundary of the core.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace epibook {

// The kind of failure, so callers can react without parsing the message.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // the caller asked for something impossible (bad region, bad option)
  kNotFound,         // a file, chromosome or key that does not exist
  kCorrupt,          // a file whose bytes break its format
  kIo,               // the operating system refused a read or write
  kUnsupported,      // a valid input that epibook does not handle (yet)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool is_ok() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Adds context in front of the message: "reads.fq: line 8: ...".
  Status with_context(const std::string& where) const {
    if (is_ok()) return *this;
    return Status(code_, where + ": " + message_);
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string message) { return {ErrorCode::kInvalidArgument, std::move(message)}; }
inline Status not_found(std::string message) { return {ErrorCode::kNotFound, std::move(message)}; }
inline Status corrupt(std::string message) { return {ErrorCode::kCorrupt, std::move(message)}; }
inline Status io_error(std::string message) { return {ErrorCode::kIo, std::move(message)}; }
inline Status unsupported(std::string message) { return {ErrorCode::kUnsupported, std::move(message)}; }

namespace detail {
// A Result used against its contract is a programmer's error that no caller can
// handle: it stops the program with the reason, in every build (not only under
// assert), rather than go on with a value that is not there.
[[noreturn]] inline void result_misused(const char* what, const std::string& message) {
  std::fprintf(stderr, "epibook: %s%s\n", what, message.c_str());
  std::fflush(stderr);
  std::abort();
}
}  // namespace detail

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {          // NOLINT: implicit by design
    if (status_.is_ok()) detail::result_misused("a Result was made from an OK Status; it must carry an error", "");
  }

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }

  T& value() & { check_value(); return *value_; }
  const T& value() const& { check_value(); return *value_; }
  T&& value() && { check_value(); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void check_value() const {
    if (!value_.has_value()) detail::result_misused("Result::value() called on an error: ", status_.message());
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace epibook

// Early return of an error Status from a function that returns Status or Result<T>.
#define EPIBOOK_RETURN_IF_ERROR(expr)              \
  do {                                             \
    ::epibook::Status _epibook_status = (expr);    \
    if (!_epibook_status.is_ok()) return _epibook_status; \
  } while (0)

#define EPIBOOK_CONCAT_INNER(a, b) a##b
#define EPIBOOK_CONCAT(a, b) EPIBOOK_CONCAT_INNER(a, b)
// Declares `lhs` from a Result<T> expression, or returns its error.
#define EPIBOOK_ASSIGN_OR_RETURN(lhs, expr) \
  EPIBOOK_ASSIGN_OR_RETURN_IMPL(EPIBOOK_CONCAT(_epibook_result_, __LINE__), lhs, expr)
#define EPIBOOK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.is_ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
