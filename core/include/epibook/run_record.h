// Run records as bytes, for places with no file system (a lab in the page): a run
// directory packed as one ustar archive, and the base64url text a run link carries.
// Sits beside the run directory (train.h): the same files, in one download.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "epibook/status.h"

namespace epibook {

// A POSIX ustar archive of (path, bytes) entries, in order, regular files with mode
// 0644 and time 0 (the same bytes every time); `tar xf` unpacks it. Paths are cut to
// 99 characters.
std::string tar_archive(const std::vector<std::pair<std::string, std::string>>& files);

// base64url (RFC 4648 section 5) without padding; decoding also takes '+', '/' and
// stops at '='. A character outside the alphabets is an error naming the run link.
std::string base64url_encode(const std::string& bytes);
Result<std::string> base64url_decode(const std::string& text);

}  // namespace epibook
